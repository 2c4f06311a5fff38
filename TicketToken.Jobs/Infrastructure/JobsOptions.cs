namespace TicketToken.Jobs.Infrastructure;

public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Run a Hangfire server inside the portal process (the single-machine default).
    /// Set to false when separate 'TicketToken.Jobs' workers process the queues.</summary>
    public bool RunInProcess { get; set; } = true;

    /// <summary>Worker threads per server. Small by default: this is I/O-bound database work.</summary>
    public int WorkerCount { get; set; } = 2;

    /// <summary>Register the recurring jobs at startup (one process in a deployment is enough; every process may do it safely).</summary>
    public bool RegisterRecurringJobs { get; set; } = true;
}
