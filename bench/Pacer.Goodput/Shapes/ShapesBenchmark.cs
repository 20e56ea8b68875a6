using System.Globalization;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Reporting;
using Pacer.Goodput.Systems;

namespace Pacer.Goodput.Shapes;

/// <summary>
/// The goodput benchmark on every shape of limit (<see cref="GoodputShape.All"/>): each shape's five systems run as
/// the <c>goodput</c> command runs them, then one table gives each shape's ideal and each system's ratio, 429s and failures.
/// With <c>--repeat N</c> every shape runs N times (pass after pass, so that a slow spell of the machine does not fall on
/// one shape's runs alone), and a second table gives each system's median ratio, its range and how many runs met the targets.
/// </summary>
internal sealed class ShapesBenchmark(IReadOnlyList<GoodputShape> shapes, IReadOnlySet<int>? systems, TextWriter output, int repeat = 1)
{
    public async Task<IReadOnlyList<ShapeResult>> RunAsync()
    {
        var results = new List<ShapeResult>();
        for (var pass = 1; pass <= repeat; pass++)
        {
            foreach (var shape in shapes)
            {
                var run = repeat > 1 ? $" (pass {pass} of {repeat})" : string.Empty;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"==== shape {shape.Name}{run}: {shape.Description} ({DateTimeOffset.UtcNow:HH:mm:ss} UTC, {MachineInfo.LoadAverage()})"));
                var settings = systems is null ? shape.Settings : shape.Settings with { Systems = systems };
                var benchmark = new GoodputBenchmark(settings, output);
                var systemResults = await benchmark.RunAsync();
                results.Add(new ShapeResult(shape, benchmark.Ideal!, systemResults) { Pass = pass });
            }
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ended {DateTimeOffset.UtcNow:HH:mm:ss} UTC, {MachineInfo.LoadAverage()}"));
        output.WriteLine(Table(results));
        if (repeat > 1)
        {
            output.WriteLine();
            output.WriteLine(Summary(results));
        }

        return results;
    }

    /// <summary>
    /// One row per shape over its repeated runs: for each system, the median of its ratios (nearest rank) with their
    /// range, how many runs met the targets, and the largest share of requests meeting a 429 in any run.
    /// </summary>
    internal static string Summary(IReadOnlyList<ShapeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var numbers = results.SelectMany(r => r.Results.Select(s => (s.Number, s.System))).Distinct().OrderBy(s => s.Number).ToList();
        string[] header = ["shape", "runs", .. numbers.Select(n => $"{n.Number}. {n.System}: median ÷ run's ideal (range), runs met, most requests meeting a 429")];
        var table = new MarkdownTable(header);
        foreach (var shape in results.GroupBy(r => r.Shape.Name))
        {
            var cells = new List<string> { shape.Key, shape.Count().ToString(CultureInfo.InvariantCulture) };
            foreach (var (number, _) in numbers)
            {
                var runs = shape.SelectMany(r => r.Results).Where(r => r.Number == number).ToList();
                if (runs.Count == 0)
                {
                    cells.Add("-");
                    continue;
                }

                var ratios = runs.Select(r => r.MakespanRatio).ToList();
                var met = number >= 4 ? string.Create(CultureInfo.InvariantCulture, $", met {runs.Count(GoodputShape.Meets)} of {runs.Count}") : string.Empty;
                cells.Add($"{Format.Ratio(Percentiles.Of(ratios, 50))} ({Format.Ratio(ratios.Min())}–{Format.Ratio(ratios.Max())}){met}, {Format.Percent(runs.Max(r => r.ShareMeeting429))}");
            }

            table.Add([.. cells]);
        }

        return table.ToString();
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
            var name = shape.Pass > 1 || results.Any(r => r.Pass > 1) ? $"{shape.Shape.Name} #{shape.Pass}" : shape.Shape.Name;
            var cells = new List<string> { name, $"{Format.Seconds(shape.Ideal.Ideal)} ({shape.Ideal.Binding})" };
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
internal sealed record ShapeResult(GoodputShape Shape, IdealBreakdown Ideal, IReadOnlyList<GoodputResult> Results)
{
    /// <summary>Gets which of the repeated passes this run was, from 1.</summary>
    public int Pass { get; init; } = 1;
}
