import type { RouteModule } from '../context.js';
import { Refusal } from '../errors.js';
import { verifyPassword } from '../passwords.js';
import { RequestInput } from '../request-input.js';
import { InputCheck } from '../validation.js';

/** `POST /get_apitoken` (public): email + password → the user's token (mc-api.md §2.4). */
export const authRoutes: RouteModule = (api, { store }) => {
  api.post('/get_apitoken', async (req) => {
    const check = new InputCheck(RequestInput.of(req));
    const email = check.requiredString('email');
    const password = check.requiredString('password');
    check.done();
    const user = store.users.byEmail(email);
    if (!user) throw new Refusal(400, 'No such user');
    if (!(await verifyPassword(password, user.password_hash))) throw new Refusal(400, 'Invalid password');
    return { data: { api_token: user.api_token, email: user.email, id: user.id } };
  });
};
