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
