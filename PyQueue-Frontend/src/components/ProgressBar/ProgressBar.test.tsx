import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { makeTask } from "../../test/fixtures";
import { ProgressBar, percent, showsProgress } from "./ProgressBar";

describe("percent", () => {
  it("rounds to whole percent and clamps what is out of range", () => {
    expect(percent(0)).toBe(0);
    expect(percent(0.424)).toBe(42);
    expect(percent(1)).toBe(100);
    expect(percent(1.5)).toBe(100);
    expect(percent(-0.2)).toBe(0);
    expect(percent(Number.NaN)).toBe(0);
  });
});

describe("showsProgress", () => {
  it("is true only for a running task that reported progress", () => {
    expect(showsProgress(makeTask({ status: "INPROGRESS", progress: 0.3 }))).toBe(true);
    expect(showsProgress(makeTask({ status: "INPROGRESS", progress: 0 }))).toBe(true);
    expect(showsProgress(makeTask({ status: "INPROGRESS", progress: null }))).toBe(false);
    expect(showsProgress(makeTask({ status: "COMPLETED", progress: 1 }))).toBe(false);
  });
});

describe("ProgressBar", () => {
  it("is an accessible progressbar with the percentage and the message", () => {
    render(<ProgressBar value={0.42} message="Rendering page 42" />);
    const bar = screen.getByRole("progressbar", { name: "Progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "42");
    expect(bar).toHaveAttribute("aria-valuetext", "42%: Rendering page 42");
    expect(screen.getByText("42%")).toBeInTheDocument();
    expect(screen.getByText("Rendering page 42")).toBeInTheDocument();
    expect(bar.firstElementChild).toHaveStyle({ width: "42%" });
  });

  it("in compact form keeps the message as a tooltip", () => {
    const { container } = render(<ProgressBar value={0.5} message="half" compact />);
    expect(screen.queryByText("half")).not.toBeInTheDocument();
    expect(container.firstElementChild).toHaveAttribute("title", "50%: half");
  });

  it("renders a message as text, never as markup", () => {
    render(<ProgressBar value={0.1} message={'<img src=x onerror="alert(1)">'} />);
    expect(screen.getByText('<img src=x onerror="alert(1)">')).toBeInTheDocument();
    expect(document.querySelector("img")).toBeNull();
  });
});
