export { createSignerApp } from './signer-app.js';
export { authorizedKeyHash } from './access/authorized-key.js';
export {
  startSignerServer,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
  type SignerServerOptions,
  type RunningSignerServer,
} from './signer-server.js';
export { DEFAULT_BODY_LIMIT_BYTES, type SignerAppOptions, type SigningService } from './signer-app-options.js';
export { errorResponse, statusOf, type ErrorResponse, type ResponseErrorCode } from './answers/error-status.js';
export { createRequestLogger, isLogLevel, LOG_LEVELS } from './monitoring/request-logger.js';
export { DEFAULT_HTTP_LIMITS, httpLimits, type HttpLimits } from './http-limits.js';
export { readTlsMaterial, type TlsFiles, type TlsMaterial } from './access/tls.js';
export { SignerMetrics, type SignerMetricsOptions, type HeldRequestsView, type SpendingView, type CertificateRole } from './monitoring/metrics.js';
export { instrumentKeyProvider, instrumentWatermarkStore } from './monitoring/instrumented.js';
export { auditLogProbe, checkReadiness, keyProviderProbe, watermarkStoreProbe, DEFAULT_READINESS_DEADLINE_MS, type ReadinessProbe, type Readiness } from './monitoring/readiness.js';
export { startHealthServer, DEFAULT_METRICS_PORT, type HealthServerOptions, type RunningHealthServer } from './monitoring/health-server.js';
export { createAdminApp, type AnswerResult, type PendingList, type PendingQueue, type PendingView } from './admin/app.js';
export { startAdminServer, checkAdminSocketPath, adminTokenPath, type RunningAdminServer } from './admin/server.js';
export { PendingConfirmations, DEFAULT_CONFIRMATION_TIMEOUT_MS, DEFAULT_MAX_HELD, type PendingRequest } from './admin/pending-confirmations.js';
