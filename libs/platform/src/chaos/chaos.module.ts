/**
 * Fault switches for demos and tests: added latency, an error rate, a hang, and a delayed reply, applied to this
 * service's gRPC handlers and changed at run time through `PUT /admin/chaos`. Registered only when CHAOS_ENABLED=true — never on by
 * default, and absent from the app otherwise (no route, no interceptor).
 */
import {
  Body,
  type CallHandler,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  Injectable,
  Module,
  type NestInterceptor,
  Put,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RpcException } from '@nestjs/microservices';
import { concatMap, from, type Observable, switchMap } from 'rxjs';
import { z } from 'zod';
import { GrpcStatus } from '../errors/error-table';
import { ZodPipe } from '../http/zod-validation';

const settingsSchema = z.strictObject({
  /** Added to every gRPC call, in milliseconds. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Share of gRPC calls that fail with UNAVAILABLE, 0..1. */
  errorRate: z.number().min(0).max(1).default(0),
  /** When true, gRPC calls never answer (the caller's deadline fires). */
  hang: z.boolean().default(false),
  /**
   * Added after the handler has done its work, before the reply, in milliseconds: the effect is committed while the
   * caller still waits. Opens a precise window to kill the caller "right after" a step (the crash-recovery tests).
   */
  replyDelayMs: z.number().int().min(0).max(60_000).default(0),
  /** gRPC method names the switches apply to, e.g. ["Charge"]; empty means every method. */
  methods: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be a gRPC method name')).max(50).default([]),
});
export type ChaosSettings = z.infer<typeof settingsSchema>;

@Injectable()
export class ChaosSwitches {
  private settings: ChaosSettings = { latencyMs: 0, errorRate: 0, hang: false, replyDelayMs: 0, methods: [] };

  get(): ChaosSettings {
    return this.settings;
  }

  set(settings: ChaosSettings): ChaosSettings {
    this.settings = settings;
    return settings;
  }

  /** Whether the switches apply to a call of this gRPC method. */
  applies(method: string): boolean {
    return this.settings.methods.length === 0 || this.settings.methods.includes(method);
  }

  /** Resolves after the configured latency; rejects with UNAVAILABLE at the error rate; never resolves when hanging. */
  async apply(): Promise<void> {
    const { latencyMs, errorRate, hang } = this.settings;
    if (hang) await new Promise<never>(() => undefined);
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (errorRate > 0 && Math.random() < errorRate) {
      throw new RpcException({ code: GrpcStatus.UNAVAILABLE, message: 'chaos: injected failure' });
    }
  }

  /** Resolves after the configured reply delay; called once the handler has answered. */
  async delayReply(): Promise<void> {
    const { replyDelayMs } = this.settings;
    if (replyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, replyDelayMs));
  }
}

/** The method name of a gRPC call, from its path `/package.Service/Method`. */
function grpcMethodOf(context: ExecutionContext): string {
  const call: unknown = context.getArgByIndex(2);
  const path = typeof call === 'object' && call !== null && 'getPath' in call && typeof call.getPath === 'function' ? String(call.getPath()) : '';
  return path.slice(path.lastIndexOf('/') + 1);
}

@Injectable()
class ChaosInterceptor implements NestInterceptor {
  constructor(private readonly chaos: ChaosSwitches) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc' || !this.chaos.applies(grpcMethodOf(context))) return next.handle();
    return from(this.chaos.apply()).pipe(
      switchMap(() => next.handle()),
      concatMap(async (reply) => {
        await this.chaos.delayReply();
        return reply;
      }),
    );
  }
}

@Controller('admin/chaos')
class ChaosHttpController {
  constructor(private readonly chaos: ChaosSwitches) {}

  @Get()
  get(): ChaosSettings {
    return this.chaos.get();
  }

  @Put()
  set(@Body(new ZodPipe(settingsSchema, 'chaos settings')) settings: ChaosSettings): ChaosSettings {
    return this.chaos.set(settings);
  }
}

@Module({})
export class ChaosModule {
  static forRoot(enabled: boolean): DynamicModule {
    if (!enabled) return { module: ChaosModule };
    return {
      module: ChaosModule,
      controllers: [ChaosHttpController],
      providers: [ChaosSwitches, { provide: APP_INTERCEPTOR, useClass: ChaosInterceptor }],
      exports: [ChaosSwitches],
    };
  }
}
