namespace Nautilus.Scheduler.Tests;

/// <summary>The nautilus-scheduler program's command line.</summary>
public sealed class SchedulerCommandLineTests
{
    [Test]
    public void ServerTokenAndTuning_AreRead()
    {
        var parsed = SchedulerCommandLine.Parse(["--server", "https://127.0.0.1:6443", "--token=secret", "--profiles", "default-scheduler", "--percentage-of-nodes-to-score=30", "--parallelism", "4"])!;

        Assert.That(parsed.Endpoint.Server, Is.EqualTo(new Uri("https://127.0.0.1:6443")));
        Assert.That(parsed.Endpoint.Token, Is.EqualTo("secret"));
        Assert.That(parsed.Options.Profiles, Is.EqualTo(new[] { "default-scheduler" }));
        Assert.That(parsed.Options.PercentageOfNodesToScore, Is.EqualTo(30));
        Assert.That(parsed.Options.Parallelism, Is.EqualTo(4));
    }

    [Test]
    public void Kubeconfig_GivesServerAndToken()
    {
        var path = Path.Combine(Path.GetTempPath(), "nautilus-scheduler-kubeconfig-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: nautilus
              cluster:
                server: https://127.0.0.1:7443
            users:
            - name: admin
              user:
                token: from-file
            contexts:
            - name: nautilus
              context:
                cluster: nautilus
                user: admin
            current-context: nautilus
            """);
        try
        {
            var parsed = SchedulerCommandLine.Parse(["--kubeconfig", path])!;

            Assert.That(parsed.Endpoint.Server, Is.EqualTo(new Uri("https://127.0.0.1:7443")));
            Assert.That(parsed.Endpoint.Token, Is.EqualTo("from-file"));
            Assert.That(parsed.Options.Profiles, Is.EqualTo(new[] { "default-scheduler", "nautilus-scheduler" }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase(new[] { "--bogus" }, "Unknown option '--bogus'. Run with --help to see the options.")]
    [TestCase(new[] { "--server", "https://127.0.0.1:6443" }, "--server needs --token or --token-file.")]
    [TestCase(new[] { "--server", "https://127.0.0.1:6443", "--token", "t", "--profiles", "other" }, "--profiles: unknown profile 'other'; known: default-scheduler, nautilus-scheduler.")]
    [TestCase(new[] { "--server", "https://127.0.0.1:6443", "--token", "t", "--parallelism", "0" }, "--parallelism: '0' is not a whole number from 1 to 1024.")]
    public void BadArguments_AreRefusedWithAMessage(string[] args, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => SchedulerCommandLine.Parse(args));

        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void Help_PrintsUsageAndReturnsNull()
    {
        using var output = new StringWriter();

        Assert.That(SchedulerCommandLine.Parse(["--help"], output), Is.Null);
        Assert.That(output.ToString(), Does.StartWith("Usage: nautilus-scheduler"));
    }
}
