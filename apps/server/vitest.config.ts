import { packageProject } from '../../tooling/config/vitest.shared';

export default packageProject('server', 120_000);
