using System.Globalization;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Reporting;
using Pacer.Goodput.Systems;

namespace Pacer.Goodput.Shapes;

/// <summary>
/// The goodput benchmark on every shape of limit (<see cref="GoodputShape.All"/>): each shape's five systems run as
/// the <c>goodput</c> command runs them, then one table gives each shape's ideal and each system's ratio, 429s and failures.
/// </summary>
internal sealed class ShapesBenchmark(IReadOnlyList<GoodputShape> shapes, IReadOnlySet<int>? systems, TextWriter output)
{
    public async Task<IReadOnlyList<ShapeResult>> RunAsync()
    {
        var results = new List<ShapeResult>();
        foreach (var shape in shapes)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"==== shape {shape.Name}: {shape.Description} ({DateTimeOffset.UtcNow:HH:mm:ss} UTC, {MachineInfo.LoadAverage()})"));
            var settings = systems is null ? shape.Settings : shape.Settings with { Systems = systems };
            var benchmark = new GoodputBenchmark(settings, output);
            var systemResults = await benchmark.RunAsync();
            results.Add(new ShapeResult(shape, benchmark.Ideal!, systemResults));
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ended {DateTimeOffset.UtcNow:HH:mm:ss} UTC, {MachineInfo.LoadAverage()}"));
        output.WriteLine(Table(results));
        return results;
    }

    /// <summary>
    /// One row per shape: its ideal at the latency model's means, then each system's ratio to the ideal of its own run
    /// (the replay with the service times its upstream drew; and, for Pacer's learning systems, whether it meets the
    /// targets), that ideal, 429s and failures.
    /// </summary>
    internal static string Table(IReadOnlyList<ShapeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var numbers = results.SelectMany(r => r.Results.Select(s => (s.Number, s.System))).Distinct().OrderBy(s => s.Number).ToList();
        string[] header = ["shape", "ideal at mean latency (binding)", .. numbers.Select(n => $"{n.Number}. {n.System}: ÷ run's ideal (it), 429 (requests), failed")];
        var table = new MarkdownTable(header);
        foreach (var shape in results)
        {
            var cells = new List<string> { shape.Shape.Name, $"{Format.Seconds(shape.Ideal.Ideal)} ({shape.Ideal.Binding})" };
            foreach (var (number, _) in numbers)
            {
                cells.Add(shape.Results.FirstOrDefault(r => r.Number == number) is { } r ? Cell(r) : "-");
            }

            table.Add([.. cells]);
        }

        return table.ToString();
    }

    private static string Cell(GoodputResult r)
    {
        var verdict = r.Number >= 4 ? (GoodputShape.Meets(r) ? " met" : " MISSED") : string.Empty;
        return $"{Format.Ratio(r.MakespanRatio)}{verdict} ({Format.Seconds(TimeSpan.FromSeconds(r.IdealSeconds))}), {Format.Number(r.Upstream429)} ({Format.Percent(r.ShareMeeting429)}), {Format.Number(r.Failed)}";
    }
}

/// <summary>What one shape gave: its ideal and each system's result.</summary>
internal sealed record ShapeResult(GoodputShape Shape, IdealBreakdown Ideal, IReadOnlyList<GoodputResult> Results);
