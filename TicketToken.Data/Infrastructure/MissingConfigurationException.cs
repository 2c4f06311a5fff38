namespace TicketToken.Data.Infrastructure;

/// <summary>
/// A setting the portal, its commands or a job worker cannot run without is not set. The message names the setting
/// and where to set it; the entry points print it in one line and exit instead of failing with a stack trace.
/// </summary>
public sealed class MissingConfigurationException : InvalidOperationException
{
    public MissingConfigurationException()
    {
    }

    public MissingConfigurationException(string message)
        : base(message)
    {
    }

    public MissingConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
