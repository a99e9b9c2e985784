namespace Nautilus.Tee;

/// <summary>
/// Sealed data could not be unsealed: malformed, tampered with, wrong associated data, or sealed
/// under another measurement. Deliberately does not say which: the cases are indistinguishable
/// to authenticated encryption, and telling them apart would help an attacker.
/// </summary>
public sealed class SealingException : Exception
{
    public SealingException()
        : base("The sealed data could not be unsealed.")
    {
    }

    public SealingException(string message)
        : base(message)
    {
    }

    public SealingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
