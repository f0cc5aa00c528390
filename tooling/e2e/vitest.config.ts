import { packageProject } from '../config/vitest.shared';

export default packageProject('e2e', 1_800_000);
