using System.Diagnostics.CodeAnalysis;

namespace Nautilus.Store.Compression;

/// <summary>
/// Compresses the objects of one resource as they are written, against a dictionary it picks
/// itself: the first object worth compressing, replaced by the object at hand once
/// <see cref="PoorCompressionsBeforeNewDictionary"/> objects since the last change kept over a
/// quarter of their size (the resource's objects no longer look like it). Compressed objects keep
/// the dictionary they were compressed against, so a replaced one lives as long as they do.
/// Thread-safe.
/// </summary>
public sealed class ObjectCompressor
{
    /// <summary>Objects shorter than this are kept as they are.</summary>
    public const int MinCompressedLength = 256;

    public const int PoorCompressionsBeforeNewDictionary = 64;

    /// <summary>
    /// Objects longer than this never become the dictionary (its match index costs 4 bytes a byte
    /// while it is current): a 1 MB ConfigMap compresses against the current dictionary or alone.
    /// </summary>
    public const int MaxDictionaryLength = 64 * 1024;

    private readonly Lock _lock = new();
    private CompressionDictionary? _dictionary;
    private int _poorCompressions;

    /// <summary>
    /// Compresses <paramref name="json"/>; false when it is too short or would not shrink by a
    /// quarter, and it is better kept as it is.
    /// </summary>
    /// <remarks><paramref name="dictionary"/> is <see cref="CompressionDictionary.Empty"/> when the object was compressed alone (no dictionary yet, and too long to become one).</remarks>
    public bool TryCompress(ReadOnlySpan<byte> json, [NotNullWhen(true)] out byte[]? compressed, [NotNullWhen(true)] out CompressionDictionary? dictionary)
    {
        compressed = null;
        dictionary = null;
        if (json.Length < MinCompressedLength)
        {
            return false;
        }

        var eligible = json.Length <= MaxDictionaryLength;
        CompressionDictionary? current;
        lock (_lock)
        {
            current = _dictionary ??= eligible ? new CompressionDictionary(json) : null;
        }

        var result = DictionaryCodec.Compress(json, current);
        if (result.Length * 4 > json.Length && eligible)
        {
            lock (_lock)
            {
                if (ReferenceEquals(current, _dictionary) && ++_poorCompressions >= PoorCompressionsBeforeNewDictionary)
                {
                    current?.ReleaseIndex();
                    current = _dictionary = new CompressionDictionary(json);
                    _poorCompressions = 0;
                    result = DictionaryCodec.Compress(json, current);
                }
            }
        }

        if (result.Length > json.Length * 3 / 4)
        {
            return false;
        }

        compressed = result;
        dictionary = current ?? CompressionDictionary.Empty;
        return true;
    }
}
