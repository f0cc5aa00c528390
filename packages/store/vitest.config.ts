import { packageProject } from '../../tooling/config/vitest.shared';

export default packageProject('store');
