import { ApiObject, App } from 'cdk8s';
import { KindCiliumCluster, LoadBalancerIpPool, validateApp } from '../../src';
import { configError } from '../support/config-error';

/** Rule messages name what the user wrote, once, in plain words. */

const lbService = (cluster: KindCiliumCluster, name: string) => new ApiObject(cluster, name, {
  apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});

describe('rule messages', () => {
  test('a duplicate host port inside a cluster is reported at the hostPortMappings prop the user wrote', () => {
    const cluster = new KindCiliumCluster(new App(), 'c', {
      clusterName: 'c',
      hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30081, hostPort: 8080 }],
    });
    const found = cluster.violations().filter((v) => v.rule === 'duplicate-host-ports');
    expect(found.map((v) => v.field)).toEqual(['c.hostPortMappings[1]']);
    expect(found[0].problem).toContain('c.hostPortMappings[0]');
    expect(found.map((v) => `${v.field} ${v.problem} ${v.fix}`).join()).not.toMatch(/kind\.nodes|extraPortMappings/);
  });

  test('a duplicate host port across clusters names both hostPortMappings props', () => {
    const app = new App();
    new KindCiliumCluster(app, 'a', { clusterName: 'a', hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }] });
    new KindCiliumCluster(app, 'b', { clusterName: 'b', hostPortMappings: [{ containerPort: 30079, hostPort: 9090 }, { containerPort: 30081, hostPort: 8080 }] });
    const found = configError(() => validateApp(app)).violations.filter((v) => v.rule === 'duplicate-host-ports');
    expect(found).toHaveLength(1);
    expect(`${found[0].field} ${found[0].problem}`).toMatch(/b\.hostPortMappings\[1\]/);
    expect(`${found[0].field} ${found[0].problem}`).toMatch(/a\.hostPortMappings\[0\]/);
  });

  test('a range outside the docker network is printed once; a CIDR is followed by its range', () => {
    const outside = (block: { cidr: string } | { start: string; stop: string }) => {
      const cluster = new KindCiliumCluster(new App(), 'c', { clusterName: 'c' });
      new LoadBalancerIpPool(cluster, 'pool', { blocks: [block] });
      return cluster.violations().find((v) => v.rule === 'pool-outside-docker-subnet')!.problem;
    };
    expect(outside({ start: '172.19.240.100', stop: '172.19.240.120' }))
      .toMatch(/^block 172\.19\.240\.100-172\.19\.240\.120 is outside the kind docker network 172\.18\.0\.0\/16/);
    expect(outside({ cidr: '172.19.240.0/28' })).toMatch(/^block 172\.19\.240\.0\/28 \(172\.19\.240\.0-172\.19\.240\.15\) is outside/);
  });

  test('LoadBalancer Services beyond the pools: singular and plural', () => {
    const problem = (services: number) => {
      const cluster = new KindCiliumCluster(new App(), 'c', { clusterName: 'c' });
      if (services > 1) new LoadBalancerIpPool(cluster, 'pool', { blocks: [{ start: '172.18.255.200', stop: '172.18.255.200' }] });
      for (let i = 0; i < services; i++) lbService(cluster, `svc${i}`);
      return cluster.violations().find((v) => v.rule === 'lb-services-exceed-pool')!.problem;
    };
    expect(problem(1)).toBe('1 LoadBalancer Service needs an address but the pools offer 0; one stays <pending>');
    expect(problem(3)).toBe('3 LoadBalancer Services need addresses but the pools offer 1; 2 stay <pending>');
  });
});
