using Microsoft.Extensions.Hosting;
using Nautilus.Server.Observability;
using Nautilus.Store;

namespace Nautilus.Server.Tests.Observability;

/// <summary>/healthz, /livez and /readyz answer as kube-apiserver's healthz handlers do.</summary>
public sealed class HealthChecksTests
{
    [Test]
    public async Task Livez_NotVerbose_IsOk()
    {
        await using var store = new EmbeddedStore();

        var result = new HealthChecks(store, new Lifetime()).Evaluate(HealthEndpoint.Livez, verbose: false, []);

        Assert.That(result, Is.EqualTo((200, "ok")));
    }

    [Test]
    public async Task Livez_Verbose_ListsEveryCheck()
    {
        await using var store = new EmbeddedStore();

        var result = new HealthChecks(store, new Lifetime()).Evaluate(HealthEndpoint.Livez, verbose: true, []);

        Assert.That(result, Is.EqualTo((200, "[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n")));
    }

    [Test]
    public async Task Readyz_Exclude_MarksExcludedAndWarnsAboutUnknownNames()
    {
        await using var store = new EmbeddedStore();

        var (_, body) = new HealthChecks(store, new Lifetime()).Evaluate(HealthEndpoint.Readyz, verbose: true, ["etcd", "nonexistent"]);

        Assert.That(body, Is.EqualTo(
            "[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\n[+]etcd-readiness ok\n[+]shutdown ok\n" +
            "warn: some health checks cannot be excluded: no matches for \"nonexistent\"\nreadyz check passed\n"));
    }

    [Test]
    public async Task Readyz_WhileStopping_FailsWithTheReasonWithheld()
    {
        await using var store = new EmbeddedStore();
        var lifetime = new Lifetime();
        var checks = new HealthChecks(store, lifetime);
        lifetime.Stop();

        var result = checks.Evaluate(HealthEndpoint.Readyz, verbose: false, []);

        Assert.That(result, Is.EqualTo((500, "[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n")));
    }

    [Test]
    public async Task Healthz_ADisposedStore_FailsEtcd()
    {
        var store = new EmbeddedStore();
        var checks = new HealthChecks(store, new Lifetime());
        await store.DisposeAsync();

        var (status, body) = checks.Evaluate(HealthEndpoint.Healthz, verbose: false, []);

        Assert.That(status, Is.EqualTo(500));
        Assert.That(body, Does.Contain("[-]etcd failed: reason withheld\n"));
    }

    [Test]
    public async Task Add_ACheckForOneEndpoint_RunsOnlyThere()
    {
        await using var store = new EmbeddedStore();
        var checks = new HealthChecks(store, new Lifetime());
        checks.Add("informer-sync", () => "not synced", HealthEndpoint.Readyz);

        var livez = checks.Evaluate(HealthEndpoint.Livez, verbose: false, []);
        var readyz = checks.Evaluate(HealthEndpoint.Readyz, verbose: false, []);

        Assert.That((livez.StatusCode, readyz.StatusCode), Is.EqualTo((200, 500)));
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Stop() => _stopping.Cancel();
    }
}
