import { packageProject } from '../../tooling/config/vitest.shared';

export default packageProject('cli', 120_000);
