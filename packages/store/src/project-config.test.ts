import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  emptyProjectConfig,
  findProjectRoot,
  projectConfigPath,
  readProjectConfig,
  writeProjectConfig,
} from './project-config';
import { catchMcError, fileMode, makeProject, makeTempDir } from './test-support';

/** What the Python mc writes (json.dump: compact separators differ, but any JSON is read). */
const PYTHON_WRITTEN =
  '{"remote": {"mcurl": "https://materialscommons.org/api", "email": "me@uni.edu"}, "project_id": 412, ' +
  '"project_uuid": "9a6f1f0e-1111-2222-3333-444455556666", "experiment_id": null, "experiment_uuid": null, ' +
  '"remote_updatetime": 1733246400.25, "globus_upload_id": 7, "globus_download_id": null, ' +
  '"future_key": {"nested": [1, 2, {"x": true}]}, "team_note": "keep me"}';

describe('findProjectRoot', () => {
  it('returns the nearest ancestor (or the folder itself) holding a .mc/ directory', () => {
    const outer = makeTempDir();
    fs.mkdirSync(path.join(outer, '.mc'));
    const inner = path.join(outer, 'sub', 'proj');
    fs.mkdirSync(path.join(inner, '.mc'), { recursive: true });
    fs.mkdirSync(path.join(inner, 'a', 'b'), { recursive: true });

    expect(findProjectRoot(path.join(inner, 'a', 'b'))).toBe(inner);
    expect(findProjectRoot(inner)).toBe(inner);
    expect(findProjectRoot(path.join(outer, 'sub'))).toBe(outer);
  });

  it('ignores a file named .mc and returns null when no ancestor has .mc/', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, '.mc'), 'not a directory');
    fs.mkdirSync(path.join(dir, 'x'));
    expect(findProjectRoot(path.join(dir, 'x'))).toBeNull();
  });
});

describe('readProjectConfig', () => {
  it('reads the Python tool\'s file: typed fields, unknown keys in `other`', () => {
    const root = makeProject();
    fs.writeFileSync(projectConfigPath(root), PYTHON_WRITTEN);
    expect(readProjectConfig(root)).toStrictEqual({
      remote: { mcurl: 'https://materialscommons.org/api', email: 'me@uni.edu' },
      project_id: 412,
      project_uuid: '9a6f1f0e-1111-2222-3333-444455556666',
      experiment_id: null,
      experiment_uuid: null,
      remote_updatetime: 1733246400.25,
      globus_upload_id: 7,
      globus_download_id: null,
      remote_url: null,
      other: { future_key: { nested: [1, 2, { x: true }] }, team_note: 'keep me' },
    });
  });

  it('reads missing keys, and a missing file, as null', () => {
    const root = makeProject();
    expect(readProjectConfig(root)).toStrictEqual(emptyProjectConfig());
    fs.writeFileSync(projectConfigPath(root), '{"project_id": 3}');
    expect(readProjectConfig(root)).toStrictEqual({ ...emptyProjectConfig(), project_id: 3 });
  });

  it('keeps the legacy remote_url', () => {
    const root = makeProject();
    fs.writeFileSync(projectConfigPath(root), '{"remote_url": "https://materialscommons.org/api", "project_id": 3}');
    expect(readProjectConfig(root).remote_url).toBe('https://materialscommons.org/api');
  });

  it('a known key of the wrong type is a CONFIG error naming it', () => {
    const root = makeProject();
    fs.writeFileSync(projectConfigPath(root), '{"project_id": "412"}');
    const err = catchMcError(() => readProjectConfig(root));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toContain('"project_id" should be a number');

    fs.writeFileSync(projectConfigPath(root), '{"remote": {"mcurl": "https://x/api"}}');
    expect(catchMcError(() => readProjectConfig(root)).message).toContain('"remote"');
  });

  it('a file that is not JSON is a CONFIG error with a hint', () => {
    const root = makeProject();
    fs.writeFileSync(projectConfigPath(root), '{"project_id": 4');
    const err = catchMcError(() => readProjectConfig(root));
    expect(err.code).toBe('CONFIG');
    expect(err.hint).toBeTruthy();
  });
});

describe('writeProjectConfig', () => {
  it('keeps unknown keys and writes compact JSON, the Python tool\'s keys first', () => {
    const root = makeProject();
    fs.writeFileSync(projectConfigPath(root), PYTHON_WRITTEN);
    const cfg = readProjectConfig(root);
    writeProjectConfig(root, { ...cfg, project_id: 500 });

    const text = fs.readFileSync(projectConfigPath(root), 'utf8');
    expect(text).toBe(
      '{"remote":{"mcurl":"https://materialscommons.org/api","email":"me@uni.edu"},"project_id":500,' +
        '"project_uuid":"9a6f1f0e-1111-2222-3333-444455556666","experiment_id":null,"experiment_uuid":null,' +
        '"remote_updatetime":1733246400.25,"globus_upload_id":7,"globus_download_id":null,' +
        '"future_key":{"nested":[1,2,{"x":true}]},"team_note":"keep me"}',
    );
    expect(readProjectConfig(root)).toStrictEqual({ ...cfg, project_id: 500 });
  });

  it('creates .mc/ and a new file with mode 0600, leaving no temporary file', () => {
    const root = makeTempDir();
    writeProjectConfig(root, {
      ...emptyProjectConfig(),
      remote: { mcurl: 'http://127.0.0.1:8510/api', email: 'dev@localhost' },
      project_id: 1,
      project_uuid: 'u-1',
    });
    expect(fileMode(projectConfigPath(root))).toBe(0o600);
    expect(fs.readdirSync(path.join(root, '.mc'))).toEqual(['config.json']);
    expect(readProjectConfig(root).remote).toStrictEqual({ mcurl: 'http://127.0.0.1:8510/api', email: 'dev@localhost' });
  });

  it('keeps the mode of an existing file', () => {
    const root = makeProject();
    fs.writeFileSync(projectConfigPath(root), '{"project_id": 1}');
    fs.chmodSync(projectConfigPath(root), 0o644);
    writeProjectConfig(root, { ...readProjectConfig(root), project_id: 2 });
    expect(fileMode(projectConfigPath(root))).toBe(0o644);
  });

  it('writes remote_url only while it is set', () => {
    const root = makeProject();
    writeProjectConfig(root, { ...emptyProjectConfig(), remote_url: 'https://x/api' });
    expect(JSON.parse(fs.readFileSync(projectConfigPath(root), 'utf8')).remote_url).toBe('https://x/api');
    writeProjectConfig(root, emptyProjectConfig());
    expect('remote_url' in JSON.parse(fs.readFileSync(projectConfigPath(root), 'utf8'))).toBe(false);
  });
});
