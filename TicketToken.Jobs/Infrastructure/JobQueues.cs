namespace TicketToken.Jobs.Infrastructure;

public static class JobQueues
{
    public const string Default = "default";
    public const string Maintenance = "maintenance";

    public static readonly string[] All = [Default, Maintenance];
}
