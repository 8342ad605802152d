using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

using Infomat.Privacy.Http.Hosting;

using Microsoft.AspNetCore.Http;

namespace Infomat.Privacy.Core.Tests;

/// <summary>
/// The case list's <c>Server-Timing</c> as the spike benchmark reads it (issue 21 item 3): Kestrel's part from the read
/// of the request's bytes to the pipeline, and the machine's monotonic clock where the host's account begins and ends,
/// so that a client on the same machine can split the way to the host from the way back.
/// </summary>
public sealed class ServerTimingTests
{
    [Fact]
    public void A_request_whose_read_the_host_stamped_shows_kestrels_part_and_the_clock_from_that_read_to_the_pages_end()
    {
        var context = new DefaultHttpContext();
        var readAt = Stopwatch.GetTimestamp();
        Thread.Sleep(20);
        ServerTiming.MarkStart(context, readAt);
        var timing = new ServerTiming(context);
        timing.Step("page");
        timing.WriteTo(context.Response);
        var afterWrite = Stopwatch.GetTimestamp();

        var header = context.Response.Headers["Server-Timing"].ToString();
        var kestrel = Regex.Match(header, @"^kestrel;dur=([\d.]+), before;dur=");
        Assert.True(kestrel.Success, header);
        Assert.InRange(double.Parse(kestrel.Groups[1].Value, CultureInfo.InvariantCulture), 19, 5_000);
        var clock = Regex.Match(header, @"clock;desc=""(\d+) (\d+)""");
        Assert.True(clock.Success, header);
        Assert.Equal(readAt, long.Parse(clock.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.InRange(long.Parse(clock.Groups[2].Value, CultureInfo.InvariantCulture), readAt, afterWrite);
    }

    [Fact]
    public void A_read_stamp_later_than_the_pipelines_start_is_left_out_and_the_clock_begins_at_the_pipeline()
    {
        var context = new DefaultHttpContext();
        ServerTiming.MarkStart(context, Stopwatch.GetTimestamp() + Stopwatch.Frequency);
        var timing = new ServerTiming(context);
        timing.WriteTo(context.Response);

        var header = context.Response.Headers["Server-Timing"].ToString();
        Assert.StartsWith("before;dur=", header, StringComparison.Ordinal);
        Assert.DoesNotContain("kestrel", header, StringComparison.Ordinal);
        var clock = Regex.Match(header, @"clock;desc=""(\d+) (\d+)""");
        Assert.True(clock.Success, header);
        Assert.True(long.Parse(clock.Groups[1].Value, CultureInfo.InvariantCulture) <= long.Parse(clock.Groups[2].Value, CultureInfo.InvariantCulture), header);
    }

    [Fact]
    public void A_host_that_records_no_start_sends_no_clock()
    {
        var context = new DefaultHttpContext();
        var timing = new ServerTiming(context);
        timing.Step("page");
        timing.WriteTo(context.Response);

        var header = context.Response.Headers["Server-Timing"].ToString();
        Assert.StartsWith("page;dur=", header, StringComparison.Ordinal);
        Assert.DoesNotContain("clock", header, StringComparison.Ordinal);
    }

    [Fact]
    public void The_previous_answers_stamps_ride_on_the_next_answer_and_an_unknown_send_is_said_as_such()
    {
        var context = new DefaultHttpContext();
        ServerTiming.MarkStart(context, null, (1_000, 1_250));
        var timing = new ServerTiming(context);
        timing.WriteTo(context.Response);
        var unknown = new DefaultHttpContext();
        ServerTiming.MarkStart(unknown, null, (1_000, null));
        new ServerTiming(unknown).WriteTo(unknown.Response);
        var first = new DefaultHttpContext();
        ServerTiming.MarkStart(first);
        new ServerTiming(first).WriteTo(first.Response);

        Assert.EndsWith(@"prev;desc=""1000 1250""", context.Response.Headers["Server-Timing"].ToString(), StringComparison.Ordinal);
        Assert.EndsWith(@"prev;desc=""1000 -""", unknown.Response.Headers["Server-Timing"].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("prev", first.Response.Headers["Server-Timing"].ToString(), StringComparison.Ordinal);
    }
}
