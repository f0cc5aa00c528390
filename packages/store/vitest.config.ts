import { packageProject } from '../../tooling/config/vitest.shared.ts';

export default packageProject('store');
