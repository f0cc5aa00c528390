import { describe, expect, it } from 'vitest';
import { familiesOf } from './families.js';

describe('familiesOf', () => {
  it.each([
    ['PATCH', '/files/0123456789abcdef0123456789abcdef', ['*', 'tus', 'tus-patch']],
    ['POST', '/files/', ['*', 'tus', 'tus-create']],
    ['HEAD', '/files/0123456789abcdef0123456789abcdef', ['*', 'tus']],
    ['POST', '/files', ['*', 'tus', 'tus-create']],
    ['GET', '/api/projects/1/files/2/download', ['*', 'download']],
    ['GET', '/api/projects/1/files/2/download?api_token=x', ['*', 'download']],
    ['POST', '/api/projects/1/files/2/upload', ['*', 'upload']],
    ['POST', '/api/projects/1/files/2/upload/a.txt', ['*', 'upload']],
    ['POST', '/api/projects/1/files/upload-to-path', ['*', 'upload']],
    ['POST', '/api/files', ['*', 'upload']],
    ['POST', '/api/projects/1/files/bulk-upload', ['*', 'bulk']],
    ['POST', '/api/projects/1/files/bulk-download', ['*', 'bulk']],
    ['POST', '/api/projects/1/files/by-checksum', ['*', 'bulk']],
    ['GET', '/api/projects/1/directories', ['*', 'listing']],
    ['GET', '/api/projects/1/directories/5/list', ['*', 'listing']],
    ['GET', '/api/projects/1/directories_by_path?path=/a', ['*', 'listing']],
    ['GET', '/api/projects/1/file-changes-since?since=x', ['*', 'listing']],
    ['POST', '/api/projects/1/files/matching', ['*', 'listing']],
    ['GET', '/api/projects/1/tree', ['*', 'listing']],
    ['GET', '/api/projects/1/changes?cursor=0', ['*', 'listing']],
    ['POST', '/api/files/by_path', ['*', 'listing']],
    ['GET', '/api/server/info', ['*']],
    ['POST', '/api/projects', ['*']],
    ['GET', '/elsewhere', ['*']],
  ])('%s %s', (method, url, families) => {
    expect([...familiesOf(method, url)].sort()).toEqual([...families].sort());
  });
});
