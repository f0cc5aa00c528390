import { packageProject } from '../config/vitest.shared.ts';

export default packageProject('e2e', 1_800_000);
