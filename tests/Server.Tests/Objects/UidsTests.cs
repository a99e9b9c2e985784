using System.Text.RegularExpressions;
using Nautilus.Server.Api.Objects;

namespace Nautilus.Server.Tests.Objects;

public sealed class UidsTests
{
    [Test]
    public void New_IsARandomVersion4Uuid_InCanonicalForm_AndDoesNotRepeat()
    {
        // Arrange
        var canonical = new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
        var seen = new HashSet<string>();
        var bits = new int[128];

        // Act
        for (var i = 0; i < 20_000; i++)
        {
            var uid = Uids.New();
            Assert.That(canonical.IsMatch(uid), Is.True, uid);
            Assert.That(seen.Add(uid), Is.True, "repeated " + uid);
            var bytes = Guid.Parse(uid).ToByteArray(bigEndian: true);
            for (var b = 0; b < 128; b++)
            {
                bits[b] += (bytes[b / 8] >> (7 - (b % 8))) & 1;
            }
        }

        // Assert: every bit but the version's and the variant's is set about half the time.
        var fixedBits = new HashSet<int> { 48, 49, 50, 51, 64, 65 };
        for (var b = 0; b < 128; b++)
        {
            if (!fixedBits.Contains(b))
            {
                Assert.That(bits[b], Is.InRange(9_000, 11_000), $"bit {b}");
            }
        }
    }
}
