using Microsoft.Extensions.Time.Testing;
using Pacer.Simulator.Limits;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Limits;

public sealed class AccelerationMeterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryAdmit_Disabled_AlwaysAdmits()
    {
        var meter = new AccelerationMeter(new AccelerationOptions(), _time);

        for (var i = 0; i < 1000; i++)
        {
            meter.TryAdmit("k", "p").ShouldBeNull();
        }
    }

    [Fact]
    public void TryAdmit_SuddenBurstFromIdle_RefusedAboveTheFloor()
    {
        // Floor 60/min over a 10 s window: about 10 requests at once fit, the 11th lifts the rate above the floor.
        var meter = new AccelerationMeter(new AccelerationOptions { Enabled = true, FloorRequestsPerMinute = 60, ShortWindowSeconds = 10 }, _time);

        for (var i = 0; i < 10; i++)
        {
            meter.TryAdmit("k", "p").ShouldBeNull($"request {i + 1}");
        }

        var wait = meter.TryAdmit("k", "p").ShouldNotBeNull();
        wait.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));

        _time.Advance(wait);
        meter.TryAdmit("k", "p").ShouldBeNull();
    }

    [Fact]
    public void TryAdmit_SteadyTrafficThenModestRise_AdmittedButSuddenBurstRefused()
    {
        var meter = new AccelerationMeter(new AccelerationOptions { Enabled = true, FloorRequestsPerMinute = 120, Factor = 4 }, _time);

        // Ten minutes at one request per second (under the floor), then a minute at three per second (under 4x).
        for (var i = 0; i < 600; i++)
        {
            meter.TryAdmit("k", "p").ShouldBeNull($"steady request {i + 1}");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        for (var i = 0; i < 180; i++)
        {
            meter.TryAdmit("k", "p").ShouldBeNull($"rising request {i + 1}");
            _time.Advance(TimeSpan.FromSeconds(1.0 / 3));
        }

        var refused = Enumerable.Range(0, 100).Select(_ => meter.TryAdmit("k", "p")).Count(wait => wait is not null);
        refused.ShouldBeGreaterThan(0);
        meter.TryAdmit("other-key", "p").ShouldBeNull();
    }
}
