using Nautilus.Server.Api;
using Nautilus.Store;

namespace Nautilus.Server.Observability;

/// <summary>Wires metrics and health endpoints into the host.</summary>
public static class ObservabilityExtensions
{
    /// <summary>
    /// Registers the metrics registry, kube-apiserver's metrics, the gRPC interceptor that labels
    /// resource requests, the bridge from <see cref="System.Diagnostics.Metrics"/> meters named
    /// <c>Nautilus.*</c>, and the health checks.
    /// </summary>
    public static IServiceCollection AddNautilusObservability(this IServiceCollection services)
    {
        services.AddSingleton<MetricsRegistry>();
        services.AddSingleton<ApiServerMetrics>();
        services.AddSingleton<ResourceMetricsInterceptor>();
        services.AddSingleton<MeterBridge>();
        services.AddSingleton<HealthChecks>();
        return services;
    }

    /// <summary>Records apiserver_request_total and friends for every request that passes this point: put it after authentication.</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.UseMiddleware<RequestMetricsMiddleware>();

    /// <summary>Maps <c>/metrics</c> (Prometheus text, authenticated as every non-public path) and <c>/healthz</c>, <c>/livez</c>, <c>/readyz</c> with their per-check paths.</summary>
    public static IEndpointRouteBuilder MapNautilusObservability(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var registry = services.GetRequiredService<MetricsRegistry>();
        _ = services.GetRequiredService<ApiServerMetrics>();
        _ = new ProcessCollector(registry);
        _ = new StorageObjectsCollector(registry, services.GetRequiredService<ResourceRegistry>(), services.GetRequiredService<IObjectStore>());
        _ = services.GetRequiredService<MeterBridge>();
        endpoints.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = PrometheusWriter.ContentType;
            registry.WriteTo(context.Response.BodyWriter);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        });
        services.GetRequiredService<HealthChecks>().Map(endpoints);
        return endpoints;
    }
}
