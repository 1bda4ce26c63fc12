// The daemon's methods, typed by the types generated from schemas/api.
import type * as S from '../generated/schemas';

export interface Methods {
  'server/info': [S.ServerInfoParams, S.ServerInfoResult];
  'model/import': [S.ModelImportParams, S.ModelImportResult];
  'model/list': [S.ModelListParams, S.ModelListResult];
  'model/get': [S.ModelGetParams, S.ModelGetResult];
  'model/graph': [S.ModelGraphParams, S.ModelGraphResult];
  'compile/start': [S.CompileStartParams, S.CompileStartResult];
  'compile/get': [S.CompileGetParams, S.CompileGetResult];
  'compile/passes': [S.CompilePassesParams, S.CompilePassesResult];
  'compile/diff': [S.CompileDiffParams, S.CompileDiffResult];
  'compile/ir': [S.CompileIrParams, S.CompileIrResult];
  'run/start': [S.RunStartParams, S.RunStartResult];
  'profile/start': [S.ProfileStartParams, S.ProfileStartResult];
  'job/list': [S.JobListParams, S.JobListResult];
  'job/get': [S.JobGetParams, S.JobGetResult];
  'job/cancel': [S.JobCancelParams, S.JobCancelResult];
  'artifact/get': [S.ArtifactGetParams, S.ArtifactGetResult];
}

export type Method = keyof Methods;
export type Params<M extends Method> = Methods[M][0];
export type Result<M extends Method> = Methods[M][1];

/** What each job-starting method's job/done result is. */
export interface JobResults {
  'model/import': S.ModelImportJobResult;
  'compile/start': S.CompileStartJobResult;
  'run/start': S.RunStartJobResult;
  'profile/start': S.ProfileStartJobResult;
}

export type {
  S as Schemas,
};
