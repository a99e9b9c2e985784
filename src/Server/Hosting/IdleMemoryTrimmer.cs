namespace Nautilus.Server.Hosting;

/// <summary>
/// Gives memory back to the system once a burst of work is over, as Go's scavenger does for
/// kube-apiserver: after a fill or a rollout the collector keeps the garbage of the burst in its
/// oldest generation and the regions it used committed, which in a TEE is encrypted memory the
/// enclave keeps paying for. When the server has allocated a lot since the last trim and then
/// goes quiet, one aggressive compacting collection runs (a pause of tens of milliseconds at
/// 10,000 pods, while nothing much is happening).
/// </summary>
public sealed partial class IdleMemoryTrimmer(ILogger<IdleMemoryTrimmer> logger, TimeProvider time) : BackgroundService
{
    /// <summary>How often the allocation rate is looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly TrimPolicy _policy = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_policy.ShouldTrim(GC.GetTotalAllocatedBytes(precise: false)))
                {
                    var before = Environment.WorkingSet;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    TrimNativeHeap();
                    LogTrimmed(logger, before >> 20, Environment.WorkingSet >> 20);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool _nativeTrimUnavailable;

    /// <summary>
    /// glibc keeps freed native memory (the JIT's, OpenSSL's, the runtime's own) in its arenas;
    /// malloc_trim hands the free pages back. Elsewhere (musl, other systems) there is nothing to do.
    /// </summary>
    private static void TrimNativeHeap()
    {
        if (_nativeTrimUnavailable || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _nativeTrimUnavailable = true;
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Idle after a burst: memory trimmed from {Before} MiB to {After} MiB resident")]
    private static partial void LogTrimmed(ILogger logger, long before, long after);

    /// <summary>
    /// When to trim, from the process's total allocated bytes read every <see cref="Interval"/>:
    /// once at least <see cref="BurstBytes"/> were allocated since the last trim and the latest
    /// interval allocated less than <see cref="QuietBytes"/>.
    /// </summary>
    public sealed class TrimPolicy
    {
        public const long BurstBytes = 64L << 20;

        public const long QuietBytes = 8L << 20;

        private long _lastTotal = -1;
        private long _sinceTrim;

        public bool ShouldTrim(long totalAllocated)
        {
            var delta = _lastTotal < 0 ? 0 : Math.Max(0, totalAllocated - _lastTotal);
            _lastTotal = totalAllocated;
            _sinceTrim += delta;
            if (_sinceTrim < BurstBytes || delta >= QuietBytes)
            {
                return false;
            }

            _sinceTrim = 0;
            return true;
        }
    }
}
