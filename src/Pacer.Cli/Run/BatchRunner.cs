using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;
using Spectre.Console;

namespace Pacer.Cli.Run;

/// <summary>
/// <c>pacer run</c>: checks every input line, skips what the results file already answers, then sends the rest through
/// the engine in-process (learning the limits from the headers) and appends each result as it completes.
/// </summary>
internal sealed class BatchRunner(RunOptions options, IConfiguration configuration, RunControl control, TimeProvider time)
{
    public async Task<int> RunAsync()
    {
        var engine = PacerConfiguration.Bind(configuration, out var errors);
        if (errors.Count > 0)
        {
            await Error(new PacerOptionsException(errors).Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (!File.Exists(options.Input))
        {
            await Error($"The input file {options.Input} does not exist.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // Every line is checked before the results file is touched or anything is sent.
        var check = await InputCheck.RunAsync(options.Input, control.Stopping).ConfigureAwait(false);
        if (check.BadLines > 0)
        {
            var verdict = options.SkipInvalid
                ? $"{check.BadLines} invalid line(s) in {options.Input} are skipped (--skip-invalid):"
                : $"{check.BadLines} invalid line(s) in {options.Input}; nothing was sent. Fix them, or pass --skip-invalid to send the others.";
            await Error(verdict).ConfigureAwait(false);
            foreach (var (line, problem) in check.FirstBad)
            {
                await Console.Error.WriteLineAsync($"  line {line.ToString(CultureInfo.InvariantCulture)}: {problem}").ConfigureAwait(false);
            }

            if (check.BadLines > check.FirstBad.Count)
            {
                await Console.Error.WriteLineAsync($"  ... and {check.BadLines - check.FirstBad.Count} more").ConfigureAwait(false);
            }

            if (!options.SkipInvalid)
            {
                return ExitCodes.Usage;
            }
        }

        ResultsFile results;
        try
        {
            results = await ResultsFile.OpenAsync(options.Output, options.RetryErrored, check.ValidIds.Contains, control.Stopping).ConfigureAwait(false);
        }
        catch (ResultsFileException problem)
        {
            await Error(problem.Message).ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await using (results.ConfigureAwait(false))
        {
            check.AlreadyAnswered = results.Scan.Answered.CountIn(check.ValidIds);
            return await RunAsync(engine with { LearnLimits = true }, results, check).ConfigureAwait(false);
        }
    }

    private async Task<int> RunAsync(PacerOptions engine, ResultsFile results, InputCheck check)
    {
        var scan = results.Scan;
        if (scan.TornBytes > 0)
        {
            await Note($"Repaired {options.Output}: cut off a torn last line ({scan.TornBytes} bytes) left by an interrupted run; that request is sent again.").ConfigureAwait(false);
        }

        if (scan.Dropped.Count > 0)
        {
            await Note($"--retry-errored: {scan.Dropped.Count} result(s) that were not successes were removed from {options.Output} and are sent again.").ConfigureAwait(false);
        }

        if (check.ToSend == 0)
        {
            await Note($"Nothing to send: every valid request in {options.Input} has its result in {options.Output}.").ConfigureAwait(false);
            using var idle = new Limiter(engine, time);
            RunSummary.Write(AnsiConsole.Console, new RunStats(new CostCalculator(), time), check, idle, TimeSpan.Zero, interrupted: false);
            return ExitCodes.Success;
        }

        var (upstream, problemWithUpstream) = await Upstream.ResolveAsync(configuration, options.BaseUrl, control.Stopping).ConfigureAwait(false);
        if (upstream is null)
        {
            await Error(problemWithUpstream!).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await using (upstream.ConfigureAwait(false))
        {
            if (upstream.IsSimulator)
            {
                await Console.Error.WriteLineAsync(upstream.Banner()).ConfigureAwait(false);
            }
            else if (!upstream.HasKey)
            {
                await Note($"No ANTHROPIC_API_KEY: requests to {upstream.BaseUrl} carry a placeholder key.").ConfigureAwait(false);
            }

            using var limiter = new Limiter(engine, time);
            var usage = UsageOptions.Bind(configuration);
            var costs = new CostCalculator(usage.PriceBookPath is { } path ? PriceBook.Load(path) : PriceBook.Default);
            var stats = new RunStats(costs, time) { ToSend = check.ToSend };
            using var http = PacerHttpClient.Create(limiter, innerHandler: new AdmissionGate(control)
            {
                InnerHandler = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All, PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            });

            var started = time.GetTimestamp();
            var title = $"pacer run {options.Input} → {options.Output} ({RequestPriorityNames.NameOf(options.Priority)}, {(upstream.IsSimulator ? "simulator" : upstream.BaseUrl.ToString())})";
            using var finished = new CancellationTokenSource();
            var progress = ProgressView.ShowAsync(() => RunProgress.Read(stats, limiter, time.GetElapsedTime(started)), title, options.ProgressEvery, time, finished.Token);

            await SendAllAsync(check, scan.Answered, upstream, http, results, stats, engine).ConfigureAwait(false);

            await finished.CancelAsync().ConfigureAwait(false);
            await progress.ConfigureAwait(false);
            var wall = time.GetElapsedTime(started);
            if (!ProgressView.IsTerminal)
            {
                AnsiConsole.Profile.Width = 160;
            }

            RunSummary.Write(AnsiConsole.Console, stats, check, limiter, wall, control.IsStopping);
            return control.IsStopping ? ExitCodes.Interrupted : stats.Errored > 0 ? ExitCodes.Failed : ExitCodes.Success;
        }
    }

    private async Task SendAllAsync(InputCheck check, CustomIdSet answered, Upstream upstream, HttpClient http, ResultsFile results, RunStats stats, PacerOptions engine)
    {
        // Enough requests on hand to fill every concurrency slot and keep a queue behind them; no more, so memory stays bounded.
        var workers = engine.MaxConcurrentRequests + Math.Max(16, engine.MaxConcurrentRequests);
        var channel = Channel.CreateBounded<BatchItem>(new BoundedChannelOptions(workers) { SingleWriter = true });
        var sender = new BatchSender(upstream, http, results, stats, control, time, options.Priority);
        var running = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            await foreach (var item in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await sender.SendAsync(item).ConfigureAwait(false);
            }
        })).ToArray();

        try
        {
            await foreach (var (number, text) in InputFile.ReadLinesAsync(options.Input, control.Stopping).ConfigureAwait(false))
            {
                if (check.IsBad(number))
                {
                    continue;
                }

                var line = BatchRequestLine.Parse(text);

                // The answered set grows with every id dispatched: one line per custom_id, whatever the file holds.
                if (!line.IsValid || !answered.TryAdd(line.CustomId!, -number, out _))
                {
                    continue;
                }

                var item = new BatchItem(line.CustomId!, line.Model!, line.Body!, control.Aborting);
                try
                {
                    await channel.Writer.WriteAsync(item, control.Stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    item.Dispose();
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (control.IsStopping)
        {
        }

        channel.Writer.Complete();
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private static Task Error(string message) => Console.Error.WriteLineAsync("pacer run: " + message);

    private static Task Note(string message) => Console.Error.WriteLineAsync("pacer run: " + message);
}
