import { type DynamicModule, Global, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@shop/platform';
import { DependencyPolicy, type DependencyPolicyOptions } from './dependency-policy';

/** Holds the one policy per dependency of this process and reports their breaker states in readiness details. */
@Injectable()
export class DependencyPolicies implements OnModuleInit {
  private readonly policies = new Map<string, DependencyPolicy>();

  constructor(private readonly health: HealthRegistry) {}

  /** Created once and shared: every client of the same dependency uses the same breaker. */
  for(name: string, defaults: Omit<DependencyPolicyOptions, 'name'>): DependencyPolicy {
    let policy = this.policies.get(name);
    if (!policy) {
      policy = new DependencyPolicy({ name, ...defaults });
      this.policies.set(name, policy);
    }
    return policy;
  }

  states(): Record<string, string> {
    return Object.fromEntries([...this.policies.values()].map((policy) => [policy.name, policy.state]));
  }

  onModuleInit(): void {
    // An open breaker is reported, not counted against readiness: the service still answers (fails fast or
    // falls back), and taking it out of rotation would spread the outage upstream.
    this.health.register('breakers', async () => this.states());
  }
}

@Global()
@Module({})
export class ResilienceModule {
  static forRoot(): DynamicModule {
    return { module: ResilienceModule, providers: [DependencyPolicies], exports: [DependencyPolicies] };
  }
}
