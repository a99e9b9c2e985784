namespace Nautilus.Server.Hosting.Internal;

/// <summary>Writes files that must never be seen half-written or by other users.</summary>
internal static class SecretFiles
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode EveryoneRead = OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Creates the directory (and missing parents), readable by the owner only.</summary>
    internal static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerReadWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> atomically: a temporary
    /// file in the same directory, created with its final mode (0600 when <paramref name="secret"/>,
    /// 0644 otherwise) so the content is never readable by others, flushed to disk, then renamed.
    /// </summary>
    internal static void WriteAtomically(string path, string content, bool secret)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = secret ? OwnerReadWrite : EveryoneRead;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
