using TicketToken.Benchmarks.Harness;

return await Runner.RunAsync(args);
