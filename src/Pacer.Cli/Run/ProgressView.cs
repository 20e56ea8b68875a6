using System.Globalization;
using Spectre.Console;

namespace Pacer.Cli.Run;

/// <summary>
/// Shows the run's progress until it ends: in a terminal, a live Spectre.Console panel refreshed twice a second;
/// otherwise (CI, a pipe), one plain line every few seconds.
/// </summary>
internal static class ProgressView
{
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(500);

    public static bool IsTerminal => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static async Task ShowAsync(Func<RunProgress> read, string title, TimeSpan plainEvery, TimeProvider time, CancellationToken finished)
    {
        if (IsTerminal)
        {
            await AnsiConsole.Live(Render(read(), title)).AutoClear(false).StartAsync(async context =>
            {
                while (!finished.IsCancellationRequested)
                {
                    await Wait(LiveRefresh, time, finished).ConfigureAwait(false);
                    context.UpdateTarget(Render(read(), title));
                }
            }).ConfigureAwait(false);
            return;
        }

        while (!finished.IsCancellationRequested)
        {
            await Wait(plainEvery, time, finished).ConfigureAwait(false);
            if (!finished.IsCancellationRequested)
            {
                await Console.Out.WriteLineAsync(read().PlainLine()).ConfigureAwait(false);
                await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static async Task Wait(TimeSpan delay, TimeProvider time, CancellationToken finished)
    {
        try
        {
            await Task.Delay(delay, time, finished).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Panel Render(RunProgress p, string title)
    {
        var share = p.Total == 0 ? 1 : (double)p.Finished / p.Total;
        const int Width = 40;
        var filled = (int)Math.Round(share * Width);
        var failedCells = p.Total == 0 ? 0 : Math.Min(filled, (int)Math.Ceiling((double)p.Errored / p.Total * Width));
        var bar = $"[green]{new string('█', filled - failedCells)}[/][red]{new string('█', failedCells)}[/][grey]{new string('░', Width - filled)}[/]";
        var inv = CultureInfo.InvariantCulture;
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow(new Markup(bar), new Markup(string.Create(inv, $"[bold]{share:P0}[/]  {p.Finished}/{p.Total}")));
        grid.AddRow(new Markup("[bold]requests[/]"), new Markup(string.Create(inv, $"[green]{p.Succeeded} done[/]  [red]{p.Errored} failed[/]  [yellow]{p.InFlight} in flight[/]  [blue]{p.Waiting} waiting[/]")));
        grid.AddRow(new Markup("[bold]pace[/]"), new Markup(string.Create(inv, $"{p.RequestsLastMinute} req/min (limit {p.RequestLimit}), {Markup.Escape(p.Tokens())}")));
        grid.AddRow(new Markup("[bold]absorbed[/]"), new Markup(string.Create(inv, $"{p.RateLimited} × 429   {p.Retries} retries")));
        grid.AddRow(new Markup("[bold]cost[/]"), new Markup(string.Create(inv, $"${p.Cost:0.0000}")));
        grid.AddRow(new Markup("[bold]time[/]"), new Markup(string.Create(inv, $"{RunProgress.Duration(p.Elapsed)} elapsed, {(p.Left is { } left ? "~" + RunProgress.Duration(left) : "?")} left")));
        return new Panel(grid).Header(Markup.Escape(title)).Border(BoxBorder.Rounded);
    }
}
