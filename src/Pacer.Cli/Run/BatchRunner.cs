using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
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
    private const string AnthropicVersion = "2023-06-01";

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
        var sender = new Sender(upstream, http, results, stats, control, time, options.Priority);
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

    /// <summary>Sends one request until it has a result to write, or is given up.</summary>
    private sealed class Sender(Upstream upstream, HttpClient http, ResultsFile results, RunStats stats, RunControl control, TimeProvider time, RequestPriority priority)
    {
        private static readonly TimeSpan ShortestRetry = TimeSpan.FromMilliseconds(100);

        public async Task SendAsync(BatchItem item)
        {
            using (item)
            {
                if (!control.TryBeginWaiting(item))
                {
                    stats.Cancel();
                    return;
                }

                try
                {
                    await SendUntilAnsweredAsync(item).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (item.Token.IsCancellationRequested)
                {
                    stats.Cancel();
                }
                finally
                {
                    control.Finished(item);
                }
            }
        }

        private async Task SendUntilAnsweredAsync(BatchItem item)
        {
            while (true)
            {
                try
                {
                    using var request = Build(item);
                    var started = time.GetTimestamp();
                    using var response = await http.SendAsync(request, item.Token).ConfigureAwait(false);
                    var body = await response.Content.ReadAsByteArrayAsync(item.Token).ConfigureAwait(false);
                    stats.Served(time.GetElapsedTime(started) - QueueTime(response));
                    var (line, errorType, message) = ResultLine.FromResponse(item.CustomId, (int)response.StatusCode, body);
                    using (message)
                    {
                        await results.AppendAsync(line, CancellationToken.None).ConfigureAwait(false);
                        if (message is not null)
                        {
                            stats.Success(item.Model, message.RootElement);
                        }
                        else
                        {
                            stats.Error(errorType!);
                        }
                    }

                    return;
                }
                catch (PacerRejectedException rejected) when (rejected.Reason == RejectionReason.TooLarge)
                {
                    await results.AppendAsync(ResultLine.FromRejection(item.CustomId, rejected), CancellationToken.None).ConfigureAwait(false);
                    stats.Error("rate_limit_error");
                    return;
                }
                catch (PacerRejectedException rejected) when (rejected.Reason != RejectionReason.ShuttingDown)
                {
                    // A batch has time: a request refused for now (queue wait, cooldown) waits and queues again.
                    await Task.Delay(rejected.RetryAfter > ShortestRetry ? rejected.RetryAfter : ShortestRetry, time, item.Token).ConfigureAwait(false);
                }
                catch (HttpRequestException failure) when (!item.Token.IsCancellationRequested)
                {
                    await Fail(item, "api_error", "The API could not be reached after every retry: " + failure.Message).ConfigureAwait(false);
                    return;
                }
                catch (TaskCanceledException timeout) when (timeout.InnerException is TimeoutException && !item.Token.IsCancellationRequested)
                {
                    await Fail(item, "timeout_error", "No response within PACER_ATTEMPT_TIMEOUT on every attempt.").ConfigureAwait(false);
                    return;
                }
            }
        }

        /// <summary>The time the engine held the request in its queue, over all attempts (<c>x-pacer-queue-ms</c>).</summary>
        private static TimeSpan QueueTime(HttpResponseMessage response) =>
            response.Headers.TryGetValues(PacerHeaders.QueueMilliseconds, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds)
                ? TimeSpan.FromMilliseconds(milliseconds)
                : TimeSpan.Zero;

        private async Task Fail(BatchItem item, string type, string message)
        {
            await results.AppendAsync(ResultLine.Error(item.CustomId, type, message), CancellationToken.None).ConfigureAwait(false);
            stats.Error(type);
        }

        private HttpRequestMessage Build(BatchItem item)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, upstream.MessagesUri) { Content = new ByteArrayContent(item.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("x-api-key", upstream.ApiKey);
            request.Headers.Add("anthropic-version", AnthropicVersion);
            if (upstream.IsGateway)
            {
                request.Headers.Add("x-pacer-priority", RequestPriorityNames.NameOf(priority));
            }

            request.Options.Set(BatchItem.OptionKey, item);
            request.Options.Set(PacerRequestOptions.Endpoint, "pacer run");
            request.SetPacerPriority(priority);
            return request;
        }
    }
}
