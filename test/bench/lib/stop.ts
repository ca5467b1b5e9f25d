// Ending a bench process: SIGTERM, SIGKILL after a grace period, and wait for its exit.
export async function terminate(pid: number, exited: Promise<unknown>, graceMs: number): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(t);
}
