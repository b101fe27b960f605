/** What every resolver is given: who asks, when to give up, and what answers its queries. */
import type { Principal } from '../auth/principal.js';
import type { QueryService } from '../service/query-service.js';
import type { Answer, RunRequest } from '../service/answers.js';

export type { Answer, RunRequest };

/** Runs a dataset query and answers it whole (the GraphQL result runner). */
export interface AnswerSource {
  run(request: RunRequest): Promise<Answer>;
}

/** The datasets: which a caller may use, and how Spark describes them. */
export type DatasetDirectory = Pick<QueryService, 'list' | 'describe' | 'catalog'>;

export interface GraphQLContext {
  readonly tenant: string;
  /** Who asks; absent only where no authentication applies (tests of the schema alone). */
  readonly principal?: Principal | undefined;
  readonly signal?: AbortSignal | undefined;
  /** What runs the fields' queries. */
  readonly answers: AnswerSource;
  /** What the `datasets` and `dataset` fields list and describe. */
  readonly datasets: DatasetDirectory;
}
