# frozen_string_literal: true

require "json"
require "net/http"
require "uri"

module Tasker
  # Client of the orchestrator's HTTP API.
  class ApiClient
    RETRYABLE = [Net::OpenTimeout, Net::ReadTimeout, Errno::ECONNREFUSED, Errno::ECONNRESET].freeze

    def initialize(base_url: ENV.fetch("TASKER_URL", "http://localhost:8080"), http: nil)
      @base = URI(base_url)
      raise ArgumentError, "TASKER_URL must be http(s)" unless %w[http https].include?(@base.scheme)

      @http = http
    end

    def create_task(namespace:, name:, context: {})
      reply = request(:post, "/v1/tasks", namespace: namespace, name: name, context: context)
      Integer(reply.fetch("task_id"))
    rescue KeyError
      raise ProtocolError, "create_task: reply without task_id"
    end

    def task_status(task_id)
      request(:get, "/v1/tasks/#{Integer(task_id)}").fetch("state")
    end

    def cancel_task(task_id)
      request(:delete, "/v1/tasks/#{Integer(task_id)}")
      true
    end

    private

    def request(method, path, body = nil)
      response = perform(method, path, body)
      case response.code.to_i
      when 200..299 then response.body.to_s.empty? ? {} : JSON.parse(response.body)
      when 404 then raise PermanentError, "#{method.upcase} #{path}: not found"
      when 429, 500..599 then raise RetryableError, "#{method.upcase} #{path}: HTTP #{response.code}"
      else raise PermanentError, "#{method.upcase} #{path}: HTTP #{response.code}"
      end
    rescue JSON::ParserError => e
      raise ProtocolError, "#{path}: invalid JSON (#{e.message})"
    rescue *RETRYABLE => e
      raise RetryableError, "#{method.upcase} #{path}: #{e.class}"
    end

    def perform(method, path, body)
      http = @http || Net::HTTP.new(@base.host, @base.port).tap { |h| h.use_ssl = @base.scheme == "https" }
      klass = { get: Net::HTTP::Get, post: Net::HTTP::Post, delete: Net::HTTP::Delete }.fetch(method)
      req = klass.new(path, "Content-Type" => "application/json")
      req.body = JSON.generate(body) if body
      http.request(req)
    end
  end
end
