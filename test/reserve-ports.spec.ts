import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// scripts/lib.sh's reserve_service_ports (run by ensure-infra.sh before the apps start), against stand-ins for
// /proc/sys/net/ipv4/ip_local_port_range and ip_local_reserved_ports.
const root = resolve(__dirname, '..');

/** The apps' ports as start-local gives them, with the gateway's HTTP port moved into the ephemeral range. */
const ports: Record<string, string> = {
  USER_HTTP_PORT: '3001',
  USER_GRPC_PORT: '50051',
  ORDER_HTTP_PORT: '3002',
  ORDER_GRPC_PORT: '50052',
  INVENTORY_HTTP_PORT: '3003',
  INVENTORY_GRPC_PORT: '50053',
  PAYMENT_HTTP_PORT: '3004',
  PAYMENT_GRPC_PORT: '50054',
  SHIPPING_HTTP_PORT: '3005',
  SHIPPING_WORKER_HTTP_PORT: '3015',
  RECOMMENDATION_HTTP_PORT: '3006',
  RECOMMENDATION_GRPC_PORT: '50056',
  GATEWAY_HTTP_PORT: '45000',
};

function reserve(range: string, reserved: string): { reserved: string; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'reserve-ports-'));
  try {
    const rangeFile = join(dir, 'ip_local_port_range');
    const reservedFile = join(dir, 'ip_local_reserved_ports');
    writeFileSync(rangeFile, `${range}\n`);
    writeFileSync(reservedFile, `${reserved}\n`);
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', `source "${root}/scripts/lib.sh" && reserve_service_ports`], {
      env: { PATH: process.env.PATH, ...ports, LOCAL_PORT_RANGE_FILE: rangeFile, RESERVED_PORTS_FILE: reservedFile },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(0);
    return { reserved: readFileSync(reservedFile, 'utf8').trim(), output: result.stdout + result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reserve_service_ports', () => {
  it('reserves every app port inside the ephemeral range, gRPC and HTTP, and none outside it', () => {
    const { reserved, output } = reserve('32768\t60999', '');
    expect(reserved.split(',').sort()).toEqual(['45000', '50051', '50052', '50053', '50054', '50056']);
    expect(output).toContain('reserved ports');
  });

  it('keeps what was reserved before and adds only the ports not covered by it', () => {
    const { reserved } = reserve('32768\t60999', '40000,50050-50053');
    expect(reserved).toBe('40000,50050-50053,50054,50056,45000');
  });

  it('changes nothing when every port is reserved already or the range holds none of them', () => {
    const covered = reserve('32768\t60999', '45000,50051-50056');
    expect(covered.reserved).toBe('45000,50051-50056');
    expect(covered.output).not.toMatch(/reserved ports|warning/);
    const outside = reserve('55000\t60999', '');
    expect(outside.reserved).toBe('');
    expect(outside.output).not.toMatch(/reserved ports|warning/);
  });
});
