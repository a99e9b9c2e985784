namespace Nautilus.Controllers.NodeLifecycle.Internal;

/// <summary>A token bucket with a burst of one (kube's eviction limiter); a rate of 0 never admits.</summary>
internal sealed class EvictionRateLimiter(double qps, TimeProvider time)
{
    private double _tokens = 1;
    private DateTimeOffset _last = time.GetUtcNow();

    public double Qps => qps;

    public bool TryAccept()
    {
        if (qps <= 0)
        {
            return false;
        }

        var now = time.GetUtcNow();
        _tokens = Math.Min(1, _tokens + ((now - _last).TotalSeconds * qps));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
