import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem, type as osType } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  node: string;
  v8: string;
  os: string;
  totalMemoryMB: number;
  /** 1, 5 and 15 minute load averages when the bench started (0 on Windows). */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpuModel: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    availableParallelism: availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    os: `${osType()} ${release()} (${platform()} ${arch()})`,
    totalMemoryMB: Math.round(totalmem() / 1024 / 1024),
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
