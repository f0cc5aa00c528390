export { HttpClient } from './http-client';
export type { ExchangeRequest, ExchangeResponse, HttpClientOptions, HttpMethod, HttpRequest, JsonResponse, StreamBody, StreamResponse } from './http-client';
export { createDispatcher, proxyConfigured } from './dispatcher';
export type { DispatcherOptions } from './dispatcher';
export { AUTH_HINT, describeErrorBody } from './http-errors';
export { DEFAULT_RETRY_POLICY, backoffDelay, retryAfterDelay } from './retry';
export type { RetryPolicy } from './retry';

export { login } from './endpoints/auth';
export type { LoginOptions } from './endpoints/auth';
export { capabilitiesFromServerInfo, detectCapabilities, getServerInfo } from './endpoints/server';
export { capabilitiesFromJson, capabilitiesToJson, hasFeature, limitOf } from './capabilities';
export type { CapabilitiesJson } from './capabilities';
export { getChanges, getTree, postBulkDownload, postBulkUpload, postByChecksum } from './endpoints/sync-api';
export { createProject, deleteProject, getProject, listProjects } from './endpoints/projects';
export {
  createDirectoryByPath,
  getDirectory,
  getDirectoryByPath,
  listAllDirectories,
  listDirectory,
  listDirectoryByPath,
} from './endpoints/directories';
export { downloadFile, fileByPath, serverPath, uploadFiles, uploadNamedFile } from './endpoints/files';

export { isMultipartSafeName, multipartBody } from './multipart-body';
export type { MultipartFieldPart, MultipartFilePart, MultipartPart } from './multipart-body';
export { MAX_BATCH_BYTES, MAX_FILES_PER_REQUEST, planUploadBatches } from './upload-batches';
export type { BatchLimits, UploadBatch } from './upload-batches';

export { createRemoteProject, openRemoteProject } from './remote-project';
export type { RemoteProjectOptions } from './remote-project';
export { StockRemoteProject } from './stock-remote';
export type { StockRemoteOptions } from './stock-remote';
export { EnhancedRemoteProject } from './enhanced-remote';
export type { EnhancedRemoteOptions } from './enhanced-remote';
export { BULK_UPLOAD_BYTE_CAP } from './bulk-upload';
export { BULK_DOWNLOAD_BYTE_CAP, BULK_DOWNLOAD_FILE_CAP } from './bulk-download';
export { BY_CHECKSUM_BATCH } from './by-checksum-upload';
export { CHANGES_PAGE_LIMIT } from './change-feed';
export { downloadToTemp } from './download-file';
export { RESUMABLE_DOWNLOAD_BYTES, downloadResumableOnce, isResumable } from './resumable-download';
export type { LargeDownloadOptions } from './resumable-download';
export { FREE_SPACE_MARGIN, SpaceLedger, ensureFreeSpace, statfsFreeBytes } from './free-space';
export type { FreeBytes, FreeSpaceCheck } from './free-space';
export { DEFAULT_CONCURRENCY } from './scheduler';
export { TUS_THRESHOLD, TusUploads } from './tus-uploads';
export type { TusOptions } from './tus-uploads';
export { TUS_SESSION_MAX_AGE_MS, tusUpload } from './tus-upload';
export type { TusContext } from './tus-upload';
export { CHUNKS_PER_FILE, HARD_MAX_TUS_CHUNK, MAX_TUS_CHUNK, MIN_TUS_CHUNK, tusChunkSize } from './tus-chunks';
export { TUS_CONFIRM_TIMEOUT_MS } from './tus-confirm';
export { probeTus } from './tus-probe';
export type { TusSupport } from './tus-probe';
export { decodeMetadata, encodeMetadata, TUS_VERSION } from './tus-protocol';
export { LargeFirstOrder, MAX_CONCURRENT_LARGE_UPLOADS } from './upload-lanes';
