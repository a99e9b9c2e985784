using System.Text;

namespace Nautilus.Tee.Internal;

/// <summary>
/// A secret the simulated platform keeps in its data directory, standing in for a secret fused
/// into hardware. Created once, never rewritten; readable by the owner only (0600).
/// </summary>
internal static class PlatformSecretFile
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="directory"/> (0700 when new) if it does not exist.</summary>
    internal static void EnsureDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
    }

    /// <summary>
    /// The contents of <paramref name="path"/>, created from <paramref name="create"/> if absent.
    /// Creation writes a temporary file and renames it without overwriting, so a crash never leaves
    /// a partial secret and concurrent creators all end up with the one that won.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The file is readable or writable by group or others.</exception>
    internal static byte[] ReadOrCreate(string path, Func<byte[]> create)
    {
        if (!File.Exists(path))
        {
            byte[] created = create();
            string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnlyFile;
                }

                using (var stream = new FileStream(temporary, options))
                {
                    stream.Write(created);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: false);
                return created;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another creator won the race: use its secret.
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
        {
            throw new UnauthorizedAccessException($"{path} holds a platform secret but is accessible to group or others; it must be 0600.");
        }

        return File.ReadAllBytes(path);
    }

    internal static string ReadOrCreateText(string path, Func<string> create) =>
        Encoding.UTF8.GetString(ReadOrCreate(path, () => Encoding.UTF8.GetBytes(create())));
}
