import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DependencyPolicies } from '@shop/resilience';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { upstreamPolicy } from './upstream-policies';
import { type CallContext, UpstreamHttp, type UpstreamResponse } from './upstream-http';

export interface Registration {
  readonly email: string;
  readonly password: string;
  readonly name: string;
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** The user service's REST API: registration, sessions (login) and profiles. */
@Injectable()
export class UserHttpClient implements OnApplicationShutdown {
  private readonly http: UpstreamHttp;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, policies: DependencyPolicies) {
    this.http = new UpstreamHttp({
      name: 'user',
      baseUrl: config.USER_HTTP_URL,
      policy: upstreamPolicy(policies, 'user', config),
      timeoutMs: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
    });
  }

  register(registration: Registration, context: CallContext): Promise<UpstreamResponse> {
    return this.http.post('/users', registration, context);
  }

  login(credentials: Credentials, context: CallContext): Promise<UpstreamResponse> {
    return this.http.post('/sessions', credentials, context);
  }

  getUser(userId: string, context: CallContext): Promise<UpstreamResponse> {
    return this.http.get(`/users/${encodeURIComponent(userId)}`, context);
  }

  onApplicationShutdown(): Promise<void> {
    return this.http.close();
  }
}
