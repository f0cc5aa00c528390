import { packageProject } from '../config/vitest.shared.ts';

export default packageProject('bench', 900_000);
