using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nautilus.Store.Internal;

/// <summary>
/// The two durability calls the base library does not expose, on Linux: <c>fdatasync</c>, which
/// makes overwritten file data durable without journaling the inode when no metadata needed to
/// read the data back changed (the write-ahead log overwrites zero-filled space whose size and
/// blocks are already durable), and <c>fsync</c> of a directory, which makes a newly created or
/// renamed file's name durable. Elsewhere both report "unsupported" and callers keep
/// <see cref="FileStream.Flush(bool)"/>, which is a full sync.
/// </summary>
internal static class FileSync
{
    private const int EINTR = 4;
    private const int EINVAL = 22;
    private const int ENOSYS = 38;
    private const int OpenReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (same value on x64 and arm64)

    private static volatile bool s_dataSyncMissing = !OperatingSystem.IsLinux();

    /// <summary>Whether <see cref="TryDataSync"/> can work here (Linux, and not yet refused by the kernel).</summary>
    public static bool DataSyncSupported => !s_dataSyncMissing;

    /// <summary>
    /// <c>fdatasync</c> on <paramref name="handle"/>. Returns false when the call is unsupported
    /// (not Linux, or ENOSYS/EINVAL: a file system without it) so the caller syncs with
    /// <c>Flush(true)</c> instead; any other failure throws, as a failed fsync does.
    /// </summary>
    public static bool TryDataSync(SafeFileHandle handle)
    {
        if (s_dataSyncMissing)
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            while (true)
            {
                if (fdatasync(fd) == 0)
                {
                    return true;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno is ENOSYS or EINVAL)
                {
                    s_dataSyncMissing = true;
                    return false;
                }

                throw new IOException("fdatasync failed: errno " + errno, errno);
            }
        }
        catch (EntryPointNotFoundException)
        {
            s_dataSyncMissing = true;
            return false;
        }
        catch (DllNotFoundException)
        {
            s_dataSyncMissing = true;
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// fsync of <paramref name="directory"/> on Linux, so that a file created or renamed in it
    /// survives a crash (the file's own fsync does not cover its name). Elsewhere a no-op.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open(directory, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException("cannot open directory " + directory + " to sync it: errno " + errno, errno);
        }

        try
        {
            while (fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                // Some file systems cannot sync a directory; their names are durable another way.
                if (errno is EINVAL or ENOSYS)
                {
                    return;
                }

                throw new IOException("fsync of directory " + directory + " failed: errno " + errno, errno);
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
