namespace Nautilus.Tee;

/// <summary>Why a quote was rejected, in the order verification checks.</summary>
public enum QuoteRejection
{
    /// <summary>Not rejected: the quote is valid.</summary>
    None = 0,

    /// <summary>The quote's format or version is not one this verifier understands.</summary>
    UnsupportedFormat,

    /// <summary>Fields have impossible sizes or certificates do not parse.</summary>
    Malformed,

    /// <summary>The certificate chain does not lead to a trusted root, or the leaf is not an attestation key.</summary>
    UntrustedChain,

    /// <summary>The signature does not cover the quote's contents under the attestation key.</summary>
    BadSignature,

    /// <summary>The quote is authentic but carries other report data than expected (replay, or another TLS key).</summary>
    ReportDataMismatch,

    /// <summary>The quote is older than the verifier accepts, or dated in the future.</summary>
    Stale,
}
