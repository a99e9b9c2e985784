using System.Text;
using Nautilus.Server.Api.Strategies.Defaults;

namespace Nautilus.Server.Tests.Strategies;

/// <summary>
/// The hand-written reading of an image reference against distribution's reference regex, on edge
/// cases and many generated references: where the hand check answers, it must answer as the regex does.
/// </summary>
public sealed class ImageReferenceTests
{
    [TestCase("nginx", "Always")]
    [TestCase("nginx:latest", "Always")]
    [TestCase("nginx:1.27", "IfNotPresent")]
    [TestCase("registry.example.com:5000/team/app", "Always")]
    [TestCase("registry.example.com:5000/team/app:v2", "IfNotPresent")]
    [TestCase("localhost/app", "Always")]
    [TestCase("Upper/app", "IfNotPresent")]
    [TestCase("registry.k8s.io/pause@sha256:3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6", "IfNotPresent")]
    [TestCase("3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6", "IfNotPresent")]
    [TestCase("NGINX", "IfNotPresent")]
    [TestCase("nginx:", "IfNotPresent")]
    [TestCase("app:ünicode", "IfNotPresent")]
    public void DefaultPullPolicy_FollowsTheTag(string image, string policy) =>
        Assert.That(ImageReference.DefaultPullPolicy(image), Is.EqualTo(policy));

    [Test]
    public void HandReading_AgreesWithTheReferenceRegex()
    {
        string[] parts =
        [
            "a", "b0", "nginx", "Nginx", "0", "-", "--", "_", "__", "___", ".", "..", "/", "//", ":", "::", "@", "5000", "localhost", "example.com", "ex-ample",
            "-x", "x-", "sha256", "sha256+b64", "3ec98b8452dc8ae265a6917dfb81587a", "3ec98b8452dc8ae265a6917dfb81587ac78849e520d5dbba6de524851d20eca6", "ABCDEF0123456789abcdef0123456789",
            "latest", "v1.2-rc.3", "\n", " ", "é", "x_y", "x.y", "x__y", "x-y", "x--y",
        ];
        var inputs = new List<string> { "", "a:" + new string('t', 128), "a:" + new string('t', 129), "a@sha256:" + new string('0', 31), "a@sha256:" + new string('0', 32) };
        var random = new Random(2018);
        var builder = new StringBuilder();
        for (var i = 0; i < 100_000; i++)
        {
            builder.Clear();
            var count = random.Next(1, 9);
            for (var j = 0; j < count; j++)
            {
                builder.Append(parts[random.Next(parts.Length)]);
            }

            inputs.Add(builder.ToString());
        }

        foreach (var input in inputs)
        {
            if (ImageReference.MatchesReference(input) is { } matches)
            {
                Assert.That(matches, Is.EqualTo(ImageReference.Reference().IsMatch(input)), input);
            }
        }
    }
}
