export async function runBench(_o: { dataset?: string; quick?: boolean }): Promise<void> {}
