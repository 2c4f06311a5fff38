using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.Data.Portal;

namespace TicketToken.Data.Tenancy;

/// <summary>
/// Records of staff reads, written to the portal audit log off the read's path: a lookup returns as soon as its record is
/// queued, and one writer appends what has queued within 20 ms in one statement (group commit). Only reads go through
/// here; every write is audited in its own transaction. Records queued when the process stops are written while the
/// host disposes of its services (<see cref="DisposeAsync"/>); a crash loses at most the records of the last few
/// milliseconds (ADR 0007). <see cref="FlushAsync"/> waits until everything queued so far is written.
/// </summary>
public sealed class ReadAuditQueue : IAsyncDisposable
{
    private const int MaxBatch = 500;

    /// <summary>How long the writer lets records gather after the first one arrives: one insert per batch, not per lookup.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);

    private readonly Channel<PortalAuditEntry> channel = Channel.CreateBounded<PortalAuditEntry>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly IDbContextFactory<PortalDbContext> portal;
    private readonly ILogger<ReadAuditQueue> logger;
    private readonly Task writer;
    private readonly Lock gate = new();
    private readonly List<(long Upto, TaskCompletionSource Done)> waiters = [];
    private long queued;
    private long written;

    public ReadAuditQueue(IDbContextFactory<PortalDbContext> portal, ILogger<ReadAuditQueue> logger)
    {
        this.portal = portal;
        this.logger = logger;
        writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues a record; waits only when 10,000 records are already waiting (the database is down or slow).</summary>
    public async ValueTask EnqueueAsync(PortalAuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await channel.Writer.WriteAsync(entry, cancellationToken);
        Interlocked.Increment(ref queued);
    }

    /// <summary>Completes once every record queued before the call is in the database.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var upto = Interlocked.Read(ref queued);
        lock (gate)
        {
            if (Interlocked.Read(ref written) >= upto)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((upto, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PortalAuditEntry>(MaxBatch);
        while (await channel.Reader.WaitToReadAsync())
        {
            if (!channel.Reader.Completion.IsCompleted)
            {
                await Task.Delay(Linger);
            }

            while (batch.Count < MaxBatch && channel.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            await WriteAsync(batch);
            Interlocked.Add(ref written, batch.Count);
            batch.Clear();
            lock (gate)
            {
                var now = Interlocked.Read(ref written);
                foreach (var waiter in waiters.Where(w => w.Upto <= now).ToList())
                {
                    waiter.Done.TrySetResult();
                    waiters.Remove(waiter);
                }
            }
        }
    }

    /// <summary>Writes a batch, retrying with a growing pause while the database refuses it (never drops records silently).</summary>
    private async Task WriteAsync(List<PortalAuditEntry> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = await portal.CreateDbContextAsync();
                db.AuditEntries.AddRange(batch);
                await db.SaveChangesAsync();
                return;
            }
#pragma warning disable CA1031 // The writer must survive any failure of the database and try again.
            catch (Exception error)
#pragma warning restore CA1031
            {
                foreach (var entry in batch)
                {
                    entry.Id = 0;
                }

                if (attempt >= 8 && channel.Reader.Completion.IsCompleted)
                {
                    LogDropped(logger, batch.Count, error);
                    return;
                }

                LogRetry(logger, batch.Count, attempt, error);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 50 * (1 << Math.Min(attempt, 7)))));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        channel.Writer.TryComplete();
        await writer;
    }

    private static readonly Action<ILogger, int, int, Exception?> LogRetry = LoggerMessage.Define<int, int>(
        LogLevel.Warning, new EventId(1, "ReadAuditRetry"), "Writing {Count} read audit records failed (attempt {Attempt}); retrying");

    private static readonly Action<ILogger, int, Exception?> LogDropped = LoggerMessage.Define<int>(
        LogLevel.Error, new EventId(2, "ReadAuditDropped"), "{Count} read audit records could not be written before shutdown");
}
