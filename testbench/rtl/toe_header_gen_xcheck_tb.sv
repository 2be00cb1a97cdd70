// Four-state check of rtl/toe_header_gen.sv under Icarus Verilog (run by
// scripts/rtl_report.sh): Verilator is two-state and cannot see X, so this
// bench starts from all-X flops, drives X on every request field whenever
// req_valid_i is low, and fails if any output bit is X or Z after reset,
// through a header, back-to-back headers with a stall, and a reset in the
// middle of a header (contract: "No X on outputs after reset").
`timescale 1ns / 1ps
module toe_header_gen_xcheck_tb;
  logic        clk = 1'b0;
  logic        rst_n = 1'b0;
  logic        req_valid = 1'b0;
  logic        req_ready;
  logic [47:0] dst_mac, src_mac;
  logic [31:0] src_ip, dst_ip, seq, ack, tsval, tsecr;
  logic [15:0] ip_id, src_port, dst_port, window, payload_len, payload_csum;
  logic [7:0]  ttl, flags;
  logic        ts_en;
  logic        hdr_valid, hdr_ready = 1'b1, hdr_last;
  logic [63:0] hdr_data;
  logic [7:0]  hdr_keep;
  int          errors = 0;
  int          beats = 0;

  toe_header_gen dut (
    .clk_i(clk), .rst_ni(rst_n),
    .req_valid_i(req_valid), .req_ready_o(req_ready),
    .req_dst_mac_i(dst_mac), .req_src_mac_i(src_mac),
    .req_src_ip_i(src_ip), .req_dst_ip_i(dst_ip),
    .req_ip_id_i(ip_id), .req_ttl_i(ttl),
    .req_src_port_i(src_port), .req_dst_port_i(dst_port),
    .req_seq_i(seq), .req_ack_i(ack), .req_flags_i(flags),
    .req_window_i(window), .req_payload_len_i(payload_len),
    .req_payload_csum_i(payload_csum), .req_ts_en_i(ts_en),
    .req_tsval_i(tsval), .req_tsecr_i(tsecr),
    .hdr_valid_o(hdr_valid), .hdr_ready_i(hdr_ready),
    .hdr_data_o(hdr_data), .hdr_keep_o(hdr_keep), .hdr_last_o(hdr_last)
  );

  always #2 clk = ~clk;

  task automatic fields_x;
    {dst_mac, src_mac, src_ip, dst_ip, seq, ack, tsval, tsecr} = 'x;
    {ip_id, src_port, dst_port, window, payload_len, payload_csum, ttl, flags, ts_en} = 'x;
  endtask

  task automatic fields_set(input logic ts, input logic [15:0] len);
    dst_mac = 48'h0a0b0c0d0e0f; src_mac = 48'h020000000001;
    src_ip = 32'h0a000001; dst_ip = 32'h0a000002; seq = 32'd1000; ack = 32'd2000;
    tsval = 32'd1; tsecr = 32'd2; ip_id = 16'd7; src_port = 16'd1234; dst_port = 16'd80;
    window = 16'd512; payload_len = len; payload_csum = 16'h1234; ttl = 8'd64;
    flags = 8'h10; ts_en = ts;
  endtask

  // Presents one request until it is taken (req_ready_o comes from a flop,
  // so its value mid-cycle is the one the next edge samples), then X again.
  task automatic send(input logic ts, input logic [15:0] len);
    fields_set(ts, len);
    req_valid = 1'b1;
    @(negedge clk);
    while (!req_ready) @(negedge clk);
    @(posedge clk);
    #1 req_valid = 1'b0;
    fields_x();
  endtask

  // Sampled just before each rising edge, from the first edge after reset.
  always @(negedge clk) begin
    // (^ of the bits is X if any bit is X or Z; Icarus 11 gets $isunknown
    // of a concatenation wrong.)
    if (rst_n && (^{req_ready, hdr_valid, hdr_data, hdr_keep, hdr_last}) === 1'bx) begin
      errors++;
      $display("X/Z on outputs at %0t: ready %b valid %b data %h keep %h last %b",
               $time, req_ready, hdr_valid, hdr_data, hdr_keep, hdr_last);
    end
    if (rst_n && hdr_valid && hdr_ready) beats++;
  end

  initial begin
    fields_x();
    repeat (2) @(posedge clk);
    #1 rst_n = 1'b1;
    repeat (3) @(posedge clk);
    send(1'b0, 16'd100);
    send(1'b1, 16'd0);
    #1 hdr_ready = 1'b0;            // stall the stream for a while
    repeat (5) @(posedge clk);
    #1 hdr_ready = 1'b1;
    repeat (20) @(posedge clk);
    send(1'b1, 16'd1460);
    repeat (4) @(posedge clk);
    #1 rst_n = 1'b0;                // reset in the middle of a header
    @(posedge clk);
    #1 rst_n = 1'b1;
    repeat (4) @(posedge clk);
    send(1'b0, 16'd9000);
    repeat (12) @(posedge clk);
    // 7 + 9, then 3 of the third header (its first beat is two cycles after
    // its handshake, the reset comes in the fifth cycle after), then 7.
    if (beats != 7 + 9 + 3 + 7) begin
      errors++;
      $display("expected %0d beats, saw %0d", 7 + 9 + 3 + 7, beats);
    end
    if (errors == 0) $display("XCHECK PASS: no X or Z on any output (%0d beats)", beats);
    else $display("XCHECK FAIL: %0d errors", errors);
    $finish;
  end
endmodule
