namespace Nautilus.Tee;

/// <summary>
/// The outcome of <see cref="ITeeProvider.VerifyQuoteAsync"/>. <see cref="Measurement"/> is set
/// only when the quote is valid: an unverified measurement must not be used.
/// </summary>
public sealed record QuoteVerification(QuoteRejection Rejection, string Reason, TeeMeasurement? Measurement)
{
    public bool IsValid => Rejection == QuoteRejection.None;

    public static QuoteVerification Valid(TeeMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        return new QuoteVerification(QuoteRejection.None, "valid", measurement);
    }

    public static QuoteVerification Rejected(QuoteRejection rejection, string reason)
    {
        if (rejection == QuoteRejection.None)
        {
            throw new ArgumentOutOfRangeException(nameof(rejection), "A rejection needs a reason other than None.");
        }

        return new QuoteVerification(rejection, reason, null);
    }
}
