import { projectFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import { ID, type RouteModule } from '../context.js';
import { Refusal } from '../errors.js';
import { RequestInput } from '../request-input.js';
import { projectsWithRelations } from '../serialize/project.js';
import { InputCheck } from '../validation.js';

type ProjectParams = { Params: { project: string } };

/** List, create, show and delete projects (mc-api.md §3.2). */
export const projectRoutes: RouteModule = (api, { store }) => {
  api.get('/projects', async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    return { data: projectsWithRelations(store, store.projects.listForMember(user.id)) };
  });

  api.post('/projects', async (req, reply) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const check = new InputCheck(input);
    const name = check.requiredString('name', 80);
    const description = check.optionalString('description', 8192);
    const summary = check.optionalString('summary', 100);
    const isActive = check.optionalBoolean('is_active');
    check.done();
    const { project, created } = store.transaction(() => {
      const existing = store.projects.liveByOwnerAndName(user.id, name);
      if (existing) return { project: existing, created: false };
      const project = store.projects.insert({ name, description, summary, isActive: isActive ?? true, ownerId: user.id });
      store.rows.insertDirectory({ projectId: project.id, parentId: null, name: '/', path: '/', ownerId: user.id, description: null });
      return { project, created: true };
    });
    reply.code(created ? 201 : 200);
    return { data: projectsWithRelations(store, [project])[0] };
  });

  api.get<ProjectParams>(`/projects/:project${ID}`, async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const json = projectsWithRelations(store, [project])[0]!;
    json.entities_count = 0;
    return { data: json };
  });

  api.delete<ProjectParams>(`/projects/:project${ID}`, async (req, reply) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    if (project.owner_id !== user.id) throw new Refusal(403, 'Not project owner');
    if (project.deleted_at === null) store.projects.softDelete(project);
    return reply.code(200).send();
  });
};
