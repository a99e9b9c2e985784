using Grpc.Core;
using Polly;
using Polly.Retry;

namespace Nautilus.Agent.Internal;

/// <summary>
/// The agent's reconnect policy: exponential backoff with jitter from 200 ms up to 5 s, forever,
/// for failures that mean "the server is not there right now". The caller's own cancellation and
/// answers that retrying cannot change (OUT_OF_RANGE: resume point expired) are not retried.
/// </summary>
internal static class Retry
{
    public static ResiliencePipeline Create(TimeProvider time, Action<Exception>? onRetry = null)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        return builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is { } e)
                {
                    onRetry?.Invoke(e);
                }

                return default;
            },
        }).Build();
    }

    public static bool IsTransient(Exception e) => e switch
    {
        RpcException { StatusCode: StatusCode.OutOfRange } => false,
        RpcException => true,
        HttpRequestException or IOException => true,
        _ => false,
    };
}
