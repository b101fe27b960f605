import { parseConnectionString } from '../../src/spark/connection-string.js';
import { sparkRemote } from './spark-remote.js';

/**
 * Spark's monitoring REST API, to check what runs on the server: `SPARK_UI_URL`, or port
 * 4040 of the `SPARK_REMOTE` host.
 */
function uiUrl(): string {
  return process.env['SPARK_UI_URL'] ?? `http://${parseConnectionString(sparkRemote()).host}:4040`;
}

interface JobData {
  jobId: number;
  status: string;
  jobTags?: string[];
}

/** Ids of the jobs running for a Spark Connect session (Spark tags each job with its session id). */
export async function runningJobs(sessionId: string): Promise<number[]> {
  const base = `${uiUrl()}/api/v1/applications`;
  const apps = (await (await fetch(base)).json()) as { id: string }[];
  const jobs: JobData[] = [];
  for (const app of apps) {
    jobs.push(...((await (await fetch(`${base}/${app.id}/jobs?status=running`)).json()) as JobData[]));
  }
  return jobs
    .filter((job) => (job.jobTags ?? []).some((tag) => tag.includes(sessionId)))
    .map((job) => job.jobId);
}

/** Polls until the session has no running job, or gives up after `timeoutMs` with what still runs. */
export async function jobsStillRunning(sessionId: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await runningJobs(sessionId);
    if (jobs.length === 0 || Date.now() > deadline) return jobs;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Ids of running jobs with a tag containing `fragment` (Spark tags jobs with operation and user tags). */
export async function runningJobsTagged(fragment: string): Promise<number[]> {
  const base = `${uiUrl()}/api/v1/applications`;
  const apps = (await (await fetch(base)).json()) as { id: string }[];
  const jobs: JobData[] = [];
  for (const app of apps) {
    jobs.push(...((await (await fetch(`${base}/${app.id}/jobs?status=running`)).json()) as JobData[]));
  }
  return jobs
    .filter((job) => (job.jobTags ?? []).some((tag) => tag.includes(fragment)))
    .map((job) => job.jobId);
}

/**
 * The Spark Connect user of each session that ran a job, read from the tags Spark gives every
 * job (`SparkConnect_OperationTag_User_<user>_Session_<id>_…`): the server's own record of who
 * used which session.
 */
export async function sessionUsers(): Promise<Map<string, Set<string>>> {
  const base = `${uiUrl()}/api/v1/applications`;
  const apps = (await (await fetch(base)).json()) as { id: string }[];
  const users = new Map<string, Set<string>>();
  for (const app of apps) {
    const jobs = (await (await fetch(`${base}/${app.id}/jobs`)).json()) as JobData[];
    for (const job of jobs) {
      for (const tag of job.jobTags ?? []) {
        const match = /^SparkConnect_OperationTag_User_(.+)_Session_([0-9a-f-]{36})/.exec(tag);
        if (match === null) continue;
        const [, user, session] = match as unknown as [string, string, string];
        users.set(session, (users.get(session) ?? new Set()).add(user));
      }
    }
  }
  return users;
}
