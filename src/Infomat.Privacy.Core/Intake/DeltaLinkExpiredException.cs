namespace Infomat.Privacy.Intake;

/// <summary>
/// The mail service no longer knows the delta link of the last sweep (Graph answers 410 Gone, or a sync-state error):
/// the sweep must start again from a point in time instead of failing for ever.
/// </summary>
public sealed class DeltaLinkExpiredException : Exception
{
    public DeltaLinkExpiredException()
        : base("The delta link of the last sweep has expired.")
    {
    }

    public DeltaLinkExpiredException(string message)
        : base(message)
    {
    }

    public DeltaLinkExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
